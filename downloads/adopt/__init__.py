"""Adopting a music folder someone already has: scan it, recognise each file as a track of the
person's library, and record it as a file on disk, so downloads and syncs reuse it."""
