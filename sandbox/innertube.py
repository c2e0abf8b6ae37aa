"""YouTube Music's InnerTube answers, built from candidates: the renderers ytmusicapi reads.

The shapes follow real recorded answers (sectionListRenderer → musicShelfRenderer →
musicResponsiveListItemRenderer with flexColumns, overlay, menu, playlistItemData and
continuations), in English (`hl=en`): ytmusicapi finds a filtered shelf by its title.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from sandbox.candidates import Candidate
from sandbox.ids import YOUTUBE_ALPHABET, encode, stable_int

SEPARATOR: dict[str, Any] = {"text": " • "}
ATV, OMV, UGC = "MUSIC_VIDEO_TYPE_ATV", "MUSIC_VIDEO_TYPE_OMV", "MUSIC_VIDEO_TYPE_UGC"
SHELF_TITLES = {"song": "Songs", "video": "Videos"}
TYPE_WORDS = {"song": "Song", "video": "Video"}
HIGH = "MUSIC_RESPONSIVE_LIST_ITEM_COLUMN_DISPLAY_PRIORITY_HIGH"
TWO_LINES = "MUSIC_RESPONSIVE_LIST_ITEM_FLEX_COLUMN_DISPLAY_STYLE_TWO_LINE_STACK"


def _tracking(*parts: object) -> str:
    raw = stable_int("tracking", *parts).to_bytes(16, "big")
    return base64.b64encode(raw).decode()


def channel_id(name: str) -> str:
    return "UC" + encode(stable_int("channel", name), YOUTUBE_ALPHABET, 22)


def album_id(name: str, artist: str) -> str:
    return "MPREb_" + encode(stable_int("album", name, artist), YOUTUBE_ALPHABET, 11)


def video_type(candidate: Candidate) -> str:
    if candidate.kind == "song":
        return ATV
    # The artist's own uploads (its channel or its VEVO channel) are official music videos.
    official = candidate.channel.endswith("VEVO") or candidate.title.startswith(
        f"{candidate.channel} - "
    )
    return OMV if official else UGC


def _watch(candidate: Candidate, **extra: Any) -> dict[str, Any]:
    return {
        "clickTrackingParams": _tracking(candidate.id, "watch"),
        "watchEndpoint": {
            "videoId": candidate.id,
            **extra,
            "watchEndpointMusicSupportedConfigs": {
                "watchEndpointMusicConfig": {"musicVideoType": video_type(candidate)}
            },
        },
    }


def _browse(browse_id: str, page_type: str) -> dict[str, Any]:
    return {
        "clickTrackingParams": _tracking(browse_id),
        "browseEndpoint": {
            "browseId": browse_id,
            "browseEndpointContextSupportedConfigs": {
                "browseEndpointContextMusicConfig": {"pageType": page_type}
            },
        },
    }


def duration_text(seconds: int) -> str:
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def _people(candidate: Candidate) -> list[dict[str, Any]]:
    """The artist runs of a song, or the uploading channel of a video, joined like YouTube."""
    if candidate.kind == "song" and candidate.artists:
        names = list(candidate.artists)
        page = "MUSIC_PAGE_TYPE_ARTIST"
    else:
        names = [candidate.channel]
        page = "MUSIC_PAGE_TYPE_USER_CHANNEL"
    runs: list[dict[str, Any]] = []
    for i, name in enumerate(names):
        if i:
            runs.append({"text": " & " if i == len(names) - 1 else ", "})
        runs.append({"text": name, "navigationEndpoint": _browse(channel_id(name), page)})
    return runs


def _details(candidate: Candidate, with_type: bool) -> list[dict[str, Any]]:
    """Second flex column: [type •] people [• album] • duration (songs) or • views • duration."""
    runs: list[dict[str, Any]] = (
        [{"text": TYPE_WORDS[candidate.kind]}, SEPARATOR] if with_type else []
    )
    runs += _people(candidate)
    if candidate.kind == "song" and candidate.album:
        first_artist = (candidate.artists or (candidate.channel,))[0]
        album = _browse(album_id(candidate.album, first_artist), "MUSIC_PAGE_TYPE_ALBUM")
        runs += [SEPARATOR, {"text": candidate.album, "navigationEndpoint": album}]
    if candidate.kind == "video":
        runs += [SEPARATOR, {"text": f"{candidate.views:,} views"}]
    runs += [SEPARATOR, {"text": duration_text(candidate.duration)}]
    return runs


def _column(runs: list[dict[str, Any]]) -> dict[str, Any]:
    label = "".join(r["text"] for r in runs)
    return {
        "musicResponsiveListItemFlexColumnRenderer": {
            "text": {"runs": runs, "accessibility": {"accessibilityData": {"label": label}}},
            "displayPriority": HIGH,
        }
    }


def _thumbnail(candidate: Candidate) -> dict[str, Any]:
    base = f"https://i.ytimg.com/vi/{candidate.id}/sddefault.jpg"
    return {
        "musicThumbnailRenderer": {
            "thumbnail": {
                "thumbnails": [
                    {"url": f"{base}?w=60", "width": 60, "height": 60},
                    {"url": f"{base}?w=120", "width": 120, "height": 120},
                ]
            },
            "thumbnailCrop": "MUSIC_THUMBNAIL_CROP_UNSPECIFIED",
            "thumbnailScale": "MUSIC_THUMBNAIL_SCALE_ASPECT_FIT",
            "trackingParams": _tracking(candidate.id, "thumbnail"),
        }
    }


def _overlay(candidate: Candidate) -> dict[str, Any]:
    label = f"{candidate.title} - {candidate.channel}"
    return {
        "musicItemThumbnailOverlayRenderer": {
            "background": {"verticalGradient": {"gradientLayerColors": ["3422552064"] * 2}},
            "content": {
                "musicPlayButtonRenderer": {
                    "playNavigationEndpoint": _watch(candidate),
                    "trackingParams": _tracking(candidate.id, "play"),
                    "playIcon": {"iconType": "PLAY_ARROW"},
                    "pauseIcon": {"iconType": "PAUSE"},
                    "accessibilityPlayData": {"accessibilityData": {"label": f"Play {label}"}},
                    "accessibilityPauseData": {"accessibilityData": {"label": f"Pause {label}"}},
                }
            },
            "contentPosition": "MUSIC_ITEM_THUMBNAIL_OVERLAY_CONTENT_POSITION_CENTERED",
            "displayStyle": "MUSIC_ITEM_THUMBNAIL_OVERLAY_DISPLAY_STYLE_PERSISTENT",
        }
    }


def _menu(candidate: Candidate) -> dict[str, Any]:
    def queue(text: str, icon: str, position: str) -> dict[str, Any]:
        return {
            "menuServiceItemRenderer": {
                "text": {"runs": [{"text": text}]},
                "icon": {"iconType": icon},
                "serviceEndpoint": {
                    "queueAddEndpoint": {
                        "queueTarget": {
                            "videoId": candidate.id,
                            "onEmptyQueue": {"watchEndpoint": {"videoId": candidate.id}},
                        },
                        "queueInsertPosition": position,
                    }
                },
                "trackingParams": _tracking(candidate.id, icon),
            }
        }

    radio = _watch(candidate, playlistId=f"RDAMVM{candidate.id}", params="wAEB")
    return {
        "menuRenderer": {
            "items": [
                {
                    "menuNavigationItemRenderer": {
                        "text": {"runs": [{"text": "Start radio"}]},
                        "icon": {"iconType": "MIX"},
                        "navigationEndpoint": radio,
                        "trackingParams": _tracking(candidate.id, "radio"),
                    }
                },
                queue("Play next", "QUEUE_PLAY_NEXT", "INSERT_AFTER_CURRENT_VIDEO"),
                queue("Add to queue", "ADD_TO_REMOTE_QUEUE", "INSERT_AT_END"),
            ],
            "trackingParams": _tracking(candidate.id, "menu"),
            "accessibility": {"accessibilityData": {"label": "Action menu"}},
        }
    }


def _explicit_badge() -> list[dict[str, Any]]:
    return [
        {
            "musicInlineBadgeRenderer": {
                "trackingParams": _tracking("explicit"),
                "icon": {"iconType": "MUSIC_EXPLICIT_BADGE"},
                "accessibilityData": {"accessibilityData": {"label": "Explicit"}},
            }
        }
    ]


def list_item(candidate: Candidate, *, with_type: bool) -> dict[str, Any]:
    """One musicResponsiveListItemRenderer: title, details (and a song's plays), menu, badges."""
    columns = [
        _column([{"text": candidate.title, "navigationEndpoint": _watch(candidate)}]),
        _column(_details(candidate, with_type)),
    ]
    if candidate.kind == "song":
        columns.append(_column([{"text": f"{candidate.views:,} plays"}]))
    item: dict[str, Any] = {
        "trackingParams": _tracking(candidate.id, "item"),
        "thumbnail": _thumbnail(candidate),
        "overlay": _overlay(candidate),
        "flexColumns": columns,
        "menu": _menu(candidate),
        "playlistItemData": {"videoId": candidate.id},
        "flexColumnDisplayStyle": TWO_LINES,
        "itemHeight": "MUSIC_RESPONSIVE_LIST_ITEM_HEIGHT_MEDIUM_COMPACT",
    }
    if candidate.kind == "song" and candidate.explicit:
        item["badges"] = _explicit_badge()
    return {"musicResponsiveListItemRenderer": item}


def top_result_card(candidate: Candidate) -> dict[str, Any]:
    """The unfiltered search's first section: a musicCardShelfRenderer for the best hit."""
    subtitle = [{"text": TYPE_WORDS[candidate.kind]}, SEPARATOR, *_details(candidate, False)]
    return {
        "musicCardShelfRenderer": {
            "trackingParams": _tracking(candidate.id, "card"),
            "thumbnail": _thumbnail(candidate),
            "title": {"runs": [{"text": candidate.title, "navigationEndpoint": _watch(candidate)}]},
            "subtitle": {"runs": subtitle},
            "onTap": _watch(candidate),
            "menu": _menu(candidate),
            "header": {
                "musicCardShelfHeaderBasicRenderer": {
                    "title": {"runs": [{"text": "Top result"}]},
                    "trackingParams": _tracking(candidate.id, "card-header"),
                }
            },
            "thumbnailOverlay": _overlay(candidate),
        }
    }


def continuation_token(query: str, kind: str, offset: int) -> str:
    raw = json.dumps({"q": query, "k": kind, "o": offset}, ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode()


def parse_continuation(token: str) -> tuple[str, str, int] | None:
    try:
        data = json.loads(base64.urlsafe_b64decode(token.encode()))
        return str(data["q"]), str(data["k"]), int(data["o"])
    except (ValueError, KeyError, TypeError):
        return None


def _next(query: str, kind: str, offset: int, total: int) -> dict[str, Any]:
    if offset >= total:
        return {}
    token = continuation_token(query, kind, offset)
    data = {"continuation": token, "clickTrackingParams": _tracking(token)}
    return {"continuations": [{"nextContinuationData": data}]}


def shelf(
    kind: str, items: list[Candidate], *, query: str, with_type: bool, next_offset: int, total: int
) -> dict[str, Any]:
    shelf_data: dict[str, Any] = {
        "title": {"runs": [{"text": SHELF_TITLES[kind]}]},
        "contents": [list_item(c, with_type=with_type) for c in items],
        "trackingParams": _tracking(query, kind, "shelf"),
        **_next(query, kind, next_offset, total),
        "shelfDivider": {"musicShelfDividerRenderer": {"hidden": True}},
    }
    return {"musicShelfRenderer": shelf_data}


def no_results(query: str) -> dict[str, Any]:
    message = {
        "messageRenderer": {
            "text": {"runs": [{"text": "No results found"}]},
            "subtext": {"messageSubtextRenderer": {"text": {"runs": [{"text": query}]}}},
            "trackingParams": _tracking(query, "empty"),
        }
    }
    return {"itemSectionRenderer": {"contents": [message], "trackingParams": _tracking(query)}}


def search_page(sections: list[dict[str, Any]], *, filtered: bool) -> dict[str, Any]:
    """The whole answer: tabs of sectionListRenderer, as YouTube Music sends them."""
    tab = {
        "tabRenderer": {
            "title": "YT Music",
            "selected": True,
            "content": {"sectionListRenderer": {"contents": sections}},
            "tabIdentifier": "music_search_catalog",
            "trackingParams": _tracking("tab", filtered),
        }
    }
    return {
        "responseContext": {"serviceTrackingParams": [], "visitorData": ""},
        "contents": {"tabbedSearchResultsRenderer": {"tabs": [tab]}},
        "trackingParams": _tracking("page", filtered),
    }


def continuation_page(
    kind: str, items: list[Candidate], *, query: str, offset: int, total: int
) -> dict[str, Any]:
    contents = {
        "contents": [list_item(c, with_type=False) for c in items],
        "trackingParams": _tracking(query, kind, offset),
        **_next(query, kind, offset + len(items), total),
        "shelfDivider": {"musicShelfDividerRenderer": {"hidden": True}},
        "autoReloadWhenEmpty": False,
    }
    return {
        "responseContext": {"serviceTrackingParams": []},
        "continuationContents": {"musicShelfContinuation": contents},
        "trackingParams": _tracking(query, kind, offset, "page"),
    }


def home_page(visitor_data: str) -> str:
    """`GET /`: an HTML page whose first `ytcfg.set({...});` carries VISITOR_DATA."""
    config = {
        "CLIENT_CANARY_STATE": "none",
        "INNERTUBE_API_KEY": "AIzaSyC9XL3ZjWddXya6X74dJoCTL-WEYFDNX30",
        "INNERTUBE_CLIENT_NAME": "WEB_REMIX",
        "INNERTUBE_CLIENT_VERSION": "1.20251201.01.00",
        "HL": "en",
        "GL": "US",
        "VISITOR_DATA": visitor_data,
    }
    return (
        '<!DOCTYPE html><html lang="en" dir="ltr"><head><meta charset="utf-8">'
        "<title>YouTube Music</title>"
        f'<script nonce="sandbox">ytcfg.set({json.dumps(config)});</script>'
        '<script nonce="sandbox">ytcfg.set({"INNERTUBE_CONTEXT_CLIENT_NAME": 67});</script>'
        "</head><body><ytmusic-app></ytmusic-app></body></html>"
    )
