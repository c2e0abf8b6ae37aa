"""Sync: subscribed playlists, Liked Songs and saved albums kept in step with Spotify.

A subscription names a source, a format and a schedule. Each sync re-reads the source (a
playlist whose snapshot_id is unchanged costs no item requests), downloads what was added as a
job, rewrites the .m3u8 in the new order without what was dropped, and deletes a dropped track's
file once nothing of anyone's references it any more (unless the installation keeps files).
"""
