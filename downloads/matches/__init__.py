"""Match pages: the chosen upload of a track, why, the alternatives, and pinning another one."""
