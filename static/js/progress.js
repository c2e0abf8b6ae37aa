// Live job progress: listens to the job's Server-Sent Events and updates the page in place.
// The page is complete without this file; it only keeps it current. After Retry or Resume
// (htmx answers with the `job-active` trigger) it listens again from its last event.
"use strict";

(() => {
  const ACTIVE = new Set(["queued", "running", "paused"]);

  function setText(root, selector, value) {
    const element = root.querySelector(selector);
    if (element) element.textContent = value;
  }

  function updateBar(root, job, active) {
    const bar = root.querySelector("[data-job-bar]");
    if (!bar) return;
    bar.setAttribute("aria-valuenow", String(job.percent));
    bar.setAttribute("aria-valuetext", `${job.percent}% downloaded`);
    bar.classList.toggle("job-bar-ended", !active);
    for (const [segment, width] of Object.entries(job.widths || {})) {
      const part = bar.querySelector(`[data-segment="${segment}"]`);
      if (part) part.style.width = `${width}%`;
    }
  }

  // The tabs' counts come with the job event (ItemFilter.size_in counts them on the server).
  function updateTabs(root, job) {
    for (const [tab, count] of Object.entries(job.tabs || {})) {
      setText(root, `[data-tab-count="${tab}"]`, String(count));
    }
  }

  function updateJob(root, job) {
    const active = ACTIVE.has(job.status);
    updateBar(root, job, active);
    updateTabs(root, job);
    setText(root, '[data-job-field="percent_text"]', `${job.percent}%`);
    for (const name of ["done", "total", "failed", "no_match", "cancelled"]) {
      setText(root, `[data-job-field="${name}"]`, String(job[name]));
    }
    const status = root.querySelector('[data-job-field="status_label"]');
    if (status) {
      status.textContent = job.status_label;
      status.dataset.jobStatus = job.status;
      status.className = `badge badge-${job.status}`;
    }
    const error = root.querySelector('[data-job-field="error"]');
    if (error) {
      error.textContent = job.error || "";
      error.hidden = !job.error;
    }
    const cancelling = root.querySelector('[data-job-field="cancelling"]');
    if (cancelling) cancelling.hidden = !(active && job.cancel_requested);
    const shown = {
      active: active && !job.cancel_requested,
      retryable: !active && job.failed + job.no_match > 0,
      resumable: !active && job.cancelled > 0,
    };
    for (const form of root.querySelectorAll("[data-show-when]")) {
      form.hidden = !shown[form.dataset.showWhen];
    }
    // "Cancelling: downloads stop…" is true only while the job still runs.
    if (!active) root.querySelectorAll('[data-note-while="active"]').forEach((note) => note.remove());
  }

  // A failure's words and its next step (downloads/failures.py): a link when it has a place.
  function showNote(note, item) {
    if (!note) return;
    note.textContent = item.note || item.error || "";
    if (!item.step_text) return;
    note.append(" ");
    const step = document.createElement(item.step_url ? "a" : "span");
    step.className = "next-step";
    step.textContent = item.step_text;
    if (item.step_url) step.href = item.step_url;
    note.append(step);
  }

  function updateItem(item) {
    const row = document.getElementById(`item-${item.id}`);
    if (!row) return; // on another page or tab of the job
    row.dataset.status = item.status;
    const bar = row.querySelector('[data-item-field="progress"]');
    if (bar) {
      bar.value = item.progress;
      bar.textContent = `${item.progress}%`;
    }
    const label = item.status === "running" ? item.stage_label : item.status_label;
    setText(row, '[data-item-field="label"]', label);
    showNote(row.querySelector('[data-item-field="note"]'), item);
    if (item.lyrics_label) setText(row, '[data-item-field="lyrics"]', item.lyrics_label);
  }

  function streamUrl(root) {
    const url = new URL(root.dataset.jobEvents, window.location.href);
    if (root.dataset.lastEvent) url.searchParams.set("since", root.dataset.lastEvent);
    return url.toString();
  }

  function listen(root) {
    if (root.dataset.finished === "true" || root.dataset.listening === "true") return;
    if (!("EventSource" in window)) return;
    root.dataset.listening = "true";
    const source = new EventSource(streamUrl(root));
    const seen = (event) => {
      if (event.lastEventId) root.dataset.lastEvent = event.lastEventId;
    };
    source.addEventListener("job", (event) => {
      seen(event);
      updateJob(root, JSON.parse(event.data));
    });
    source.addEventListener("items", (event) => {
      seen(event);
      JSON.parse(event.data).forEach(updateItem);
    });
    source.addEventListener("end", (event) => {
      // Without close() the browser would reconnect to a finished stream forever.
      source.close();
      seen(event);
      root.dataset.listening = "false";
      const job = JSON.parse(event.data);
      if (job) updateJob(root, job);
      root.dataset.finished = "true";
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("[data-job-events]").forEach(listen);
  });
  // A "Cancelling…" note swapped in after the stream already told the job had stopped.
  document.addEventListener("htmx:afterSwap", () => {
    document.querySelectorAll('[data-job-events][data-finished="true"]').forEach((root) => {
      root.querySelectorAll('[data-note-while="active"]').forEach((note) => note.remove());
    });
  });
  // Retry or Resume made the job active again: pick it up where the last event left off.
  document.addEventListener("job-active", () => {
    document.querySelectorAll("[data-job-events]").forEach((root) => {
      root.dataset.finished = "false";
      listen(root);
    });
  });
})();
