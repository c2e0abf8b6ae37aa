// Live job progress: listens to the job's Server-Sent Events and updates the bars in place.
// The page is complete without this file; it only keeps it current.
"use strict";

(() => {
  const ACTIVE = new Set(["queued", "running", "paused"]);

  function setText(root, selector, value) {
    const element = root.querySelector(selector);
    if (element) element.textContent = value;
  }

  function updateJob(root, job) {
    const field = (name) => root.querySelector(`[data-job-field="${name}"]`);
    const bar = field("percent");
    if (bar) {
      bar.value = job.percent;
      bar.textContent = `${job.percent}%`;
    }
    setText(root, '[data-job-field="percent_text"]', `${job.percent}%`);
    for (const name of ["done", "total", "failed", "no_match", "cancelled"]) {
      setText(root, `[data-job-field="${name}"]`, String(job[name]));
    }
    const status = field("status_label");
    if (status) {
      status.textContent = job.status_label;
      status.dataset.jobStatus = job.status;
      status.className = `badge badge-${job.status}`;
    }
    const error = field("error");
    if (error) {
      error.textContent = job.error || "";
      error.hidden = !job.error;
    }
    const active = ACTIVE.has(job.status);
    const retryable = !active && job.failed + job.no_match > 0;
    for (const form of root.querySelectorAll("[data-show-when]")) {
      const when = form.dataset.showWhen;
      form.hidden = when === "active" ? !active || job.cancel_requested : !retryable;
    }
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
    if (!row) return;
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

  function listen(root) {
    if (root.dataset.finished === "true" || !("EventSource" in window)) return;
    const source = new EventSource(root.dataset.jobEvents);
    source.addEventListener("job", (event) => updateJob(root, JSON.parse(event.data)));
    source.addEventListener("items", (event) => JSON.parse(event.data).forEach(updateItem));
    source.addEventListener("end", (event) => {
      // Without close() the browser would reconnect to a finished stream forever.
      source.close();
      const job = JSON.parse(event.data);
      if (job) updateJob(root, job);
      root.dataset.finished = "true";
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("[data-job-events]").forEach(listen);
  });
})();
