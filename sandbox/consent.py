"""The consent page HTML: app name, scopes, a sandbox-user picker, Agree and Cancel."""

from __future__ import annotations

from html import escape

from sandbox.models import User

SCOPES: dict[str, str] = {
    "user-read-private": "Access your subscription details",
    "user-read-email": "Get your real email address",
    "user-library-read": "Access your saved content",
    "user-library-modify": "Manage your saved content",
    "playlist-read-private": "Access your private playlists",
    "playlist-read-collaborative": "Access your collaborative playlists",
    "playlist-modify-private": "Manage your private playlists",
    "playlist-modify-public": "Manage your public playlists",
    "user-follow-read": "Access your followers and who you are following",
    "user-follow-modify": "Manage who you are following",
    "user-top-read": "Read your top artists and content",
    "user-read-recently-played": "Access your recently played items",
    "user-read-playback-state": "Read your currently playing content and devices",
    "user-modify-playback-state": "Control Spotify on your devices",
    "user-read-currently-playing": "Read your currently playing content",
    "user-read-playback-position": "Read your position in content you have played",
    "ugc-image-upload": "Upload images to Spotify on your behalf",
    "streaming": "Play content and control playback on your other devices",
    "app-remote-control": "Communicate with the Spotify app on your device",
}

STYLE = """
body{font-family:system-ui,sans-serif;background:#121212;color:#fff;display:flex;
justify-content:center;padding:40px}
main{background:#181818;border-radius:12px;padding:32px;max-width:460px;width:100%}
h1{font-size:22px}ul{padding-left:18px;color:#b3b3b3}label{display:block;margin:10px 0 4px}
select{width:100%;padding:8px;border-radius:6px}.persona{color:#b3b3b3;font-size:13px}
.buttons{display:flex;flex-direction:row-reverse;gap:12px;margin-top:24px}
button{flex:1;padding:12px;border-radius:24px;border:0;font-weight:700;cursor:pointer}
#agree{background:#1ed760;color:#000}
#cancel{background:transparent;color:#fff;border:1px solid #777}
"""


def error_page(message: str) -> str:
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>Error - Spotify (sandbox)</title>"
        f"<style>{STYLE}</style></head><body><main><h1>Oops! Something went wrong</h1>"
        f"<p class='error'>{escape(message)}</p></main></body></html>"
    )


def consent_page(tx: str, app_name: str, scopes: tuple[str, ...], users: list[User]) -> str:
    scope_items = "".join(f"<li>{escape(SCOPES[s])} <code>{escape(s)}</code></li>" for s in scopes)
    options = "".join(
        f"<option value='{escape(u.key)}'>{escape(u.display_name)} — "
        f"{u.spec.liked:,} liked songs</option>"
        for u in users
    )
    personas = "".join(
        f"<li><b>{escape(u.display_name)}</b>: {escape(u.spec.persona)}</li>" for u in users
    )
    return f"""<!doctype html>
<html><head><meta charset="utf-8"><title>Authorize - Spotify (sandbox)</title>
<style>{STYLE}</style></head>
<body><main>
<h1><span id="app-name">{escape(app_name)}</span> wants to access your Spotify account</h1>
<p>It will be able to:</p>
<ul id="scopes">{scope_items or "<li>Read your public profile</li>"}</ul>
<form method="post" action="/authorize/accept">
<input type="hidden" name="tx" value="{escape(tx)}">
<label for="user">Sign in as</label>
<select id="user" name="user">{options}</select>
<ul class="persona">{personas}</ul>
<!-- Agree comes first in the form, so pressing Enter agrees; CSS shows it on the right. -->
<div class="buttons">
<button id="agree" type="submit" name="action" value="accept">Agree</button>
<button id="cancel" type="submit" name="action" value="cancel">Cancel</button>
</div>
</form>
</main></body></html>"""
