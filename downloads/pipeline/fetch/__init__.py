"""Fetch: yt-dlp downloads the best audio stream, ffmpeg remuxes or converts it.

`stage.fetch` is the entry point; `retry` is the one retry policy for media downloads.
"""
