"""One portfolio page per consenting person: their badges, newest first."""

from __future__ import annotations

from microcred.layout import badge_image, brief_page, credential_page, person_page
from microcred.site.pages.context import _Ctx
from microcred.site.pagination import Page
from microcred.site.people import Person
from microcred.site.safety import safe_href, short_hash


def _person(ctx: _Ctx, person: Person) -> None:
    program = ctx.pub.program
    url = person_page(person.slug)
    page = Page(url)
    badges = []
    for record in sorted(person.records, key=lambda r: r.awarded_at, reverse=True):
        achievement = program.achievement(record.achievement)
        badges.append(
            {
                "a": achievement,
                "record": record,
                "href": page.link(credential_page(record.slug)),
                "brief_href": page.link(brief_page(achievement.slug)),
                "badge": page.link(badge_image(achievement.slug, "svg")),
                "date": record.awarded_at.date().isoformat(),
                "status": ctx.pub.statuses.get(record.slug, "active"),
                "evidence": [
                    {
                        "name": ev.name,
                        "href": safe_href(ev.url),
                        "url": ev.url,
                        "genre": ev.genre,
                        "narrative": ev.narrative,
                    }
                    for ev in record.evidence
                ],
                "scope": short_hash(record.slug, 6),
            }
        )
    ctx.page(
        url,
        "person.md.j2",
        title=person.name,
        person=person,
        candidate_href=safe_href(person.candidate_id) if person.candidate_id else None,
        badges=badges,
        people_href=page.link("people/"),
    )
