"""Search sources, one module each: YouTube Music (ytmusicapi) and YouTube (yt-dlp search)."""
