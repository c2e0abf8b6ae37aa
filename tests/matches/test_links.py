"""Link validation: every accepted shape, and every rejected one with its plain-words reason."""

from __future__ import annotations

import pytest

from downloads.matches import links
from downloads.matches.forms import PinForm, YouTubeLinkField
from downloads.matches.links import LinkError, YouTubeLink, parse_youtube_link

ID = "dQw4w9WgXcQ"
ODD_ID = "a-B_c1D2e3F"  # every character class of an id: letters, digits, - and _


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"https://www.youtube.com/watch?v={ID}", YouTubeLink(ID)),
        (f"https://youtube.com/watch?v={ID}", YouTubeLink(ID)),
        (f"https://m.youtube.com/watch?v={ID}", YouTubeLink(ID)),
        (f"https://music.youtube.com/watch?v={ID}", YouTubeLink(ID, music=True)),
        (f"https://youtu.be/{ID}", YouTubeLink(ID)),
        (f"https://www.youtube.com/shorts/{ID}", YouTubeLink(ID)),
        (f"https://youtube.com/shorts/{ID}", YouTubeLink(ID)),
        (f"https://m.youtube.com/shorts/{ID}/", YouTubeLink(ID)),
        (f"http://www.youtube.com/watch?v={ID}", YouTubeLink(ID)),
        (f"https://www.youtube.com/watch?v={ODD_ID}", YouTubeLink(ODD_ID)),
        # What people really paste: extra parameters, a fragment, spaces around, capitals.
        (f"https://www.youtube.com/watch?v={ID}&t=42s&list=RDdQw4w9WgXcQ", YouTubeLink(ID)),
        (f"https://www.youtube.com/watch?feature=share&v={ID}", YouTubeLink(ID)),
        (f"https://music.youtube.com/watch?v={ID}&si=abcDEF123", YouTubeLink(ID, music=True)),
        (f"https://youtu.be/{ID}?si=Xy12&t=10", YouTubeLink(ID)),
        (f"https://www.youtube.com/shorts/{ID}?feature=share", YouTubeLink(ID)),
        (f"https://www.youtube.com/watch?v={ID}#comments", YouTubeLink(ID)),
        (f"  https://www.youtube.com/watch?v={ID}\n", YouTubeLink(ID)),
        (f"HTTPS://WWW.YOUTUBE.COM/watch?v={ID}", YouTubeLink(ID)),
    ],
)
def test_accepted_shapes_give_the_video_id(text: str, expected: YouTubeLink) -> None:
    assert parse_youtube_link(text) == expected


def test_the_canonical_url_is_rebuilt_from_the_id_alone() -> None:
    assert parse_youtube_link(f"https://youtu.be/{ID}?t=3").canonical_url == (
        f"https://www.youtube.com/watch?v={ID}"
    )
    assert parse_youtube_link(f"https://music.youtube.com/watch?v={ID}&si=x").canonical_url == (
        f"https://music.youtube.com/watch?v={ID}"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", links.EMPTY),
        ("   ", links.EMPTY),
        # Not a web link at all.
        (ID, links.NOT_A_LINK),
        (f"www.youtube.com/watch?v={ID}", links.NOT_A_LINK),
        (f"//www.youtube.com/watch?v={ID}", links.NOT_A_LINK),
        ("javascript:alert(1)//https://www.youtube.com/watch?v=dQw4w9WgXcQ", links.NOT_A_LINK),
        (f"file:///etc/passwd?v={ID}", links.NOT_A_LINK),
        (f"ftp://www.youtube.com/watch?v={ID}", links.NOT_A_LINK),
        (f"data:text/html,https://youtu.be/{ID}", links.NOT_A_LINK),
        (f"https:///watch?v={ID}", links.NOT_A_LINK),
        # Another site dressed up as YouTube.
        (f"https://youtube.com.evil.com/watch?v={ID}", links.OTHER_SITE),
        (f"https://evil.com/www.youtube.com/watch?v={ID}", links.OTHER_SITE),
        (f"https://evilyoutube.com/watch?v={ID}", links.OTHER_SITE),
        (f"https://www.youtube.com./watch?v={ID}", links.OTHER_SITE),
        (f"https://youtube-nocookie.com/watch?v={ID}", links.OTHER_SITE),
        (f"https://www.youtube-nocookie.com/embed/{ID}", links.OTHER_SITE),
        (f"https://studio.youtube.com/watch?v={ID}", links.OTHER_SITE),
        (f"https://www.youtu.be/{ID}", links.OTHER_SITE),
        (f"https://google.com/url?q=https://youtu.be/{ID}", links.OTHER_SITE),
        (f"https://evil.com#@www.youtube.com/watch?v={ID}", links.OTHER_SITE),
        (f"https://127.0.0.1/watch?v={ID}", links.OTHER_SITE),
        # User info and ports: the real host is elsewhere, or an odd port.
        ("https://youtube.com@evil.com/", links.HIDDEN_ADDRESS),
        (f"https://youtube.com@evil.com/watch?v={ID}", links.HIDDEN_ADDRESS),
        (f"https://user:pass@www.youtube.com/watch?v={ID}", links.HIDDEN_ADDRESS),
        (f"https://www.youtube.com:8080/watch?v={ID}", links.HIDDEN_ADDRESS),
        (f"https://www.youtube.com:443/watch?v={ID}", links.HIDDEN_ADDRESS),
        (f"https://www.youtube.com:/watch?v={ID}", links.HIDDEN_ADDRESS),
        # Characters that parsers and yt-dlp read differently.
        (f"https://www.youtube.com\\@evil.com/watch?v={ID}", links.BAD_CHARACTERS),
        (f"https://www.you\ttube.com/watch?v={ID}", links.BAD_CHARACTERS),
        (f"https://www.youtube.com/watch?v={ID}\nhttps://evil.com", links.BAD_CHARACTERS),
        (f"https://www.youtube.com/watch?v=dQw4w9WgXcQ {ID}", links.BAD_CHARACTERS),
        (f"https://www.youtub\u0435.com/watch?v={ID}", links.BAD_CHARACTERS),  # Cyrillic e
        (f"https://youtu.be/{ID}\x00", links.BAD_CHARACTERS),
        ("https://www.youtube.com/watch?v=" + "a" * 2000, links.BAD_CHARACTERS),
        # The right site, but not one video.
        ("https://www.youtube.com/", links.NO_VIDEO),
        ("https://www.youtube.com/watch", links.NO_VIDEO),
        ("https://www.youtube.com/watch?v=", links.NO_VIDEO),
        (f"https://www.youtube.com/watch?vv={ID}", links.NO_VIDEO),
        (f"https://www.youtube.com/watch?v={ID}&v=aaaaaaaaaaa", links.NO_VIDEO),
        (f"https://www.youtube.com/watch/?v={ID}", links.NO_VIDEO),
        (f"https://www.youtube.com/embed/{ID}", links.NO_VIDEO),
        (f"https://www.youtube.com/live/{ID}", links.NO_VIDEO),
        (f"https://www.youtube.com/v/{ID}", links.NO_VIDEO),
        ("https://www.youtube.com/playlist?list=PL1234567890", links.NO_VIDEO),
        ("https://www.youtube.com/@SomeChannel", links.NO_VIDEO),
        (f"https://music.youtube.com/shorts/{ID}", links.NO_VIDEO),
        ("https://youtu.be/", links.NO_VIDEO),
        ("https://www.youtube.com/shorts/", links.NO_VIDEO),
        # A video id that is not 11 characters of [A-Za-z0-9_-].
        ("https://www.youtube.com/watch?v=dQw4w9WgXc", links.BAD_ID),
        ("https://www.youtube.com/watch?v=dQw4w9WgXcQQ", links.BAD_ID),
        ("https://www.youtube.com/watch?v=dQw4w9WgX.Q", links.BAD_ID),
        ("https://www.youtube.com/watch?v=dQw4w9WgX%51", links.BAD_ID),
        ("https://www.youtube.com/watch?v=%64Qw4w9WgXcQ", links.BAD_ID),
        (f"https://youtu.be/{ID}/extra", links.BAD_ID),
        ("https://youtu.be/dQw4w9WgXc", links.BAD_ID),
        ("https://youtu.be/../../etc/passwd", links.BAD_ID),
        ("https://www.youtube.com/shorts/dQw4w9WgXcQQ", links.BAD_ID),
    ],
)
def test_rejected_shapes_say_why_in_plain_words(text: str, message: str) -> None:
    with pytest.raises(LinkError) as raised:
        parse_youtube_link(text)

    assert str(raised.value) == message


def test_every_reason_is_a_plain_sentence() -> None:
    reasons = [
        links.EMPTY,
        links.NOT_A_LINK,
        links.BAD_CHARACTERS,
        links.HIDDEN_ADDRESS,
        links.OTHER_SITE,
        links.NO_VIDEO,
        links.BAD_ID,
    ]
    for reason in reasons:
        assert reason[0].isupper() and reason.endswith("."), reason
        assert "Error" not in reason and "URL" not in reason


def test_the_form_field_cleans_to_the_canonical_watch_url() -> None:
    field = YouTubeLinkField(required=False)

    assert field.clean(f"https://youtu.be/{ID}?si=x") == f"https://www.youtube.com/watch?v={ID}"
    assert field.clean("") == ""


def test_the_form_refuses_a_bad_link_with_the_reason_on_the_field() -> None:
    form = PinForm(
        {"link": "https://youtube.com@evil.com/", "audio_format": "original"}, candidates={}
    )

    assert not form.is_valid()
    assert form.errors["link"] == [links.HIDDEN_ADDRESS]
    assert "choice" not in form.cleaned_data
