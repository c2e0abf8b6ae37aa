"""Search sources, one module each: YouTube Music, YouTube (yt-dlp search) and the sandbox."""
