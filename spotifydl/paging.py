"""How many tracks a page lists, wherever tracks are listed: Liked Songs, a playlist's or an
album's tracks and every other track table, a job's items, a player's queue.

Fifty: about two screens of a phone, and what Spotify itself hands out a page at a time. What a
page costs the server grows with its rows (Django's template engine takes some 0.2 ms a row):
in bench P6's world a Liked Songs page took 32-42 ms of CPU at 100 rows and 20-26 at 50, a job
page 37-41 and 18-23, a player page 31-36 and 17-19.
"""

from __future__ import annotations

TRACKS_PER_PAGE = 50
