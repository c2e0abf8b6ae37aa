"""Getting music out: single files, HTTP Range streams for the in-page player, streamed ZIPs.

Everything here reads: which StoredFiles a person may get (`selectors`), where they are on disk
(`files`), and how they travel (`ranges` for one file, `zipstream` for many). Paths come only
from StoredFile rows and are checked to lie inside MUSIC_ROOT before anything is opened.
"""
