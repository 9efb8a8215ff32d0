"""/api/v1/lessons: publish a lesson, read it, delete it with its edit token.

The handlers are plain `def`s, which FastAPI runs in its threadpool: the database calls and
the decoding of a lesson's state stay off the event loop.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import Field

from .. import embed
from ..config import get_settings
from ..lessons import document as doc
from ..lessons.store import LessonStore, RateLimited, Stored
from ..state import StateError, decode_state
from . import schemas as s

router = APIRouter(prefix="/api/v1/lessons", tags=["lessons"])
bearer = HTTPBearer(auto_error=False, description="the edit_token given when it was published")


class CreateLesson(s.Strict):
    lesson: doc.Lesson


class Created(s.Out):
    id: str = Field(description="6 to 16 letters and digits", examples=["q3Xv9TzK2b"])
    url: str = Field(description="the short link: the page playing the lesson")
    edit_token: str = Field(description="keep it: DELETE needs it, and it is shown only once")


class LessonOut(s.Out):
    id: str
    lesson: doc.Lesson
    created: datetime = Field(description="when it was published (ISO 8601, UTC)")


def store(request: Request) -> LessonStore:
    return request.app.state.lessons


async def within_size(request: Request) -> None:
    """413 for a lesson over max_lesson_bytes (the body is already read, up to max_body_bytes)."""
    limit = get_settings().max_lesson_bytes
    size = len(await request.body())
    if size > limit:
        raise HTTPException(413, f"a lesson is at most {limit} bytes of JSON, got {size}")


Store = Annotated[LessonStore, Depends(store)]
NOT_FOUND = {404: {"model": s.Message, "description": "no lesson with this id"}}


@router.post(
    "",
    status_code=201,
    response_model=Created,
    dependencies=[Depends(within_size)],
    responses={
        400: {"model": s.Message, "description": "the body is not JSON (not UTF-8, say)"},
        413: {"model": s.Message, "description": "the lesson is larger than max_lesson_bytes"},
        422: {"model": s.ValidationErrors, "description": "the lesson is invalid (loc, msg)"},
        429: {"model": s.Message, "description": "too many lessons from this address"},
    },
)
def create_lesson(body: CreateLesson, request: Request, response: Response, lessons: Store):
    """Publish a lesson: its short link, and the token that deletes it."""
    lesson = body.lesson
    settings = get_settings()
    shape = None
    if lesson.preset is not None:
        shape = doc.preset_shape(lesson.preset)
    elif lesson.state is not None:
        try:
            shape = doc.state_shape(decode_state(lesson.state))
        except StateError as e:
            raise s.FieldErrors([(("body", "lesson", "state"), str(e))]) from None
    errors = [(("body", "lesson", *loc), msg) for loc, msg in doc.problems(lesson, shape)]
    if errors:
        raise s.FieldErrors(errors)
    text = json.dumps(lesson.document(), ensure_ascii=False, separators=(",", ":"))
    try:
        published = lessons.create(text, request.client.host if request.client else "")
    except RateLimited as e:
        raise HTTPException(
            429,
            f"at most {settings.lesson_rate} lessons per {settings.lesson_rate_window} s from "
            f"one address: try again in {e.retry_after} s",
            headers={"Retry-After": str(e.retry_after)},
        ) from None
    response.headers["location"] = f"/api/v1/lessons/{published.id}"
    return {
        "id": published.id,
        "url": str(request.url_for("lesson_page", lesson_id=published.id)),
        "edit_token": published.edit_token,
    }


@router.get("/{lesson_id}", response_model=LessonOut, responses=NOT_FOUND)
def get_lesson(lesson_id: str, lessons: Store):
    """A published lesson, as it was published."""
    found = lessons.get(lesson_id)
    if found is None:
        raise HTTPException(404, f"no lesson {embed.shown(lesson_id)}")
    # served as stored, not re-validated: a lesson stays readable if the rules change
    return Response(answer(found), media_type="application/json")


@router.delete(
    "/{lesson_id}",
    status_code=204,
    response_class=Response,
    responses={
        401: {"model": s.Message, "description": "no Authorization: Bearer <edit_token>"},
        403: {"model": s.Message, "description": "not this lesson's edit token"},
        **NOT_FOUND,
    },
)
def delete_lesson(
    lesson_id: str,
    lessons: Store,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
):
    """Delete a lesson with the edit_token it was published with."""
    if credentials is None:
        raise HTTPException(
            401,
            "send the lesson's edit token: Authorization: Bearer <edit_token>",
            headers={"WWW-Authenticate": "Bearer"},
        )
    deleted = lessons.delete(lesson_id, credentials.credentials)
    if deleted is None:
        raise HTTPException(404, f"no lesson {embed.shown(lesson_id)}")
    if not deleted:
        raise HTTPException(403, "this is not the lesson's edit token")
    return Response(status_code=204)


@router.api_route(
    "/{lesson_id}", methods=["POST", "PUT", "PATCH", "OPTIONS"], include_in_schema=False
)
async def other_methods():
    # Starlette's 405 would name only the methods of the first route that matches the path
    body = {"detail": "Method Not Allowed: a lesson is read (GET) or deleted (DELETE)"}
    return JSONResponse(body, status_code=405, headers={"Allow": "GET, DELETE"})


def answer(found: Stored) -> bytes:
    """GET's JSON: {"id", "lesson", "created"}, the lesson as stored."""
    created = found.created.isoformat().replace("+00:00", "Z")
    return f'{{"id":"{found.id}","lesson":{found.document},"created":"{created}"}}'.encode()
