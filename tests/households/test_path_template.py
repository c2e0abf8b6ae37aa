"""A path template is filled in with worst-case values before it is saved: one that cannot
render, or would put music outside the music folder or into the playlist files' folder, is
refused with a plain reason and the old template stays."""

from __future__ import annotations

import pytest
from django.test import Client

from downloads.models import DownloadSettings
from downloads.pipeline.store import DEFAULT_TEMPLATE

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def post_template(client: Client, template: str) -> tuple[int, str]:
    response = client.post(
        "/settings/installation/", {"default_format": "original", "path_template": template}
    )
    return response.status_code, response.content.decode()


@pytest.mark.parametrize(
    ("template", "reason"),
    [
        ("{title:d}.{ext}", "Unknown format code &#x27;d&#x27;"),
        ("{track:099999999999999999999}.{ext}", "widths above 100 cannot be used"),
        ("{album}/{track:0999}.{ext}", "widths above 100 cannot be used"),
        ("{year:%Y}/{title}.{ext}", "cannot be filled in"),
        ("{title:,}.{ext}", "cannot be filled in"),
        ("{track:c}.{ext}", "cannot be filled in"),
        ("Playlists/{title}.{ext}", "cannot go into the Playlists folder"),
        ("playlists/{album}/{title}.{ext}", "cannot go into the Playlists folder"),
        ("../{title}.{ext}", "inside the music folder"),
        ("/music/{title}.{ext}", "relative to the music folder"),
    ],
)
def test_templates_that_cannot_render_or_land_in_the_wrong_place_are_refused(
    as_ana: Client, template: str, reason: str
) -> None:
    post_template(as_ana, "{artist}/{title}.{ext}")

    status, page = post_template(as_ana, template)

    assert status == 400
    assert reason in page
    assert DownloadSettings.load().path_template == "{artist}/{title}.{ext}"


@pytest.mark.parametrize(
    "template",
    [
        DEFAULT_TEMPLATE,
        "{artists} - {title}.{ext}",
        "{year}/{album_artist}/{album}/{disc:02}-{track:03} {title}.{ext}",
        "Music/Playlists/{title}.{ext}",  # only the top folder belongs to playlist files
        "{track:>5}{title:.40}.{ext}",
    ],
)
def test_templates_that_render_for_every_track_are_saved(as_ana: Client, template: str) -> None:
    status, _ = post_template(as_ana, template)

    assert status == 302
    assert DownloadSettings.load().path_template == template
