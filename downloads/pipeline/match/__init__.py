"""The matcher: which upload is the Spotify recording (score.match), and how we know.

transliterate → normalize → versions / artists / titles → track → signals → score; evaluation
runs it over labelled cases.
"""
