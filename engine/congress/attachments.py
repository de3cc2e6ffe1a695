"""Files attached to a proposal: by its proposer (and co-proposers) from the draft on, until the proposal is
finished; read by whoever may read the proposal. The same limits and checks as a comment's attachments
(``engine.inbox.attachments``: allowed types by content, the size limit, clean names, random stored names)."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from engine.access import Actor
from engine.clock import utcnow
from engine.errors import Conflict, Forbidden, NotFound
from engine.inbox.attachments import check_file, kept_file, stored_file
from engine.models import Case
from engine.runtime import Runtime

from .models import Proposal, ProposalAttachment
from .proposals import visible_proposal

MAX_FILES = 20
FINISHED = frozenset({"closed", "rejected", "merged", "withdrawn", "cancelled"})


def may_attach(actor: Actor, proposal: Proposal) -> bool:
    """The proposer and co-proposers, while the proposal is not finished."""
    own = actor.username == proposal.proposer or actor.username in (proposal.co_proposers or [])
    return own and proposal.status not in FINISHED


def attach(rt: Runtime, actor: Actor, directory: Path, proposal_id: int, filename: str, data: bytes
           ) -> ProposalAttachment:
    """Check and keep a file for a proposal (one transaction; the file is removed again on failure).

    :raises Invalid: the file is not an allowed type, is empty, too large, or its content does not match.
    :raises NotFound: no such proposal, or the caller may not read it.
    :raises Forbidden: the caller is not the proposal's proposer or a co-proposer.
    :raises Conflict: the proposal is finished, or already has ``MAX_FILES`` files.
    """
    name, kind, content_type = check_file(filename, data)
    with kept_file(directory, name, data) as stored, rt.transaction() as session:
        proposal = visible_proposal(session, actor, proposal_id)
        if actor.username != proposal.proposer and actor.username not in (proposal.co_proposers or []):
            raise Forbidden(f"only the proposer may attach files to proposal {proposal_id}")
        if proposal.status in FINISHED:
            raise Conflict(f"proposal {proposal.business_key or proposal_id} is finished; no more files")
        count = session.scalar(sa.select(sa.func.count()).select_from(ProposalAttachment)
                               .where(ProposalAttachment.proposal_id == proposal.id)) or 0
        if count >= MAX_FILES:
            raise Conflict(f"a proposal holds at most {MAX_FILES} files")
        row = ProposalAttachment(proposal_id=proposal.id, filename=name, kind=kind, content_type=content_type,
                                 size=len(data), sha256=hashlib.sha256(data).hexdigest(), stored_name=stored,
                                 uploaded_by=actor.username, uploaded_at=utcnow())
        session.add(row)
        session.flush()
        session.expunge(row)
    return row


def list_attachments(session: so.Session, actor: Actor, proposal_id: int) -> list[ProposalAttachment]:
    """The files of a proposal the caller may read, oldest first (NotFound otherwise)."""
    visible_proposal(session, actor, proposal_id)
    return list(session.scalars(sa.select(ProposalAttachment).where(ProposalAttachment.proposal_id == proposal_id)
                                .order_by(ProposalAttachment.id)))


def open_attachment(session: so.Session, actor: Actor, directory: Path, attachment_id: int
                    ) -> tuple[ProposalAttachment, Path]:
    """A file and its path on disk, if the caller may read its proposal (NotFound otherwise)."""
    row = session.get(ProposalAttachment, attachment_id)
    if row is None:
        raise NotFound(f"attachment {attachment_id} does not exist")
    visible_proposal(session, actor, row.proposal_id)
    return row, stored_file(directory, row.stored_name, attachment_id)


def remove_attachment(rt: Runtime, actor: Actor, directory: Path, attachment_id: int) -> int:
    """Take a file off a draft (only its uploader, only while the proposal is a draft); returns the proposal's id.

    :raises NotFound: no such file, or the caller may not read its proposal.
    :raises Forbidden: the caller did not upload it.
    :raises Conflict: the proposal is published (its files are part of the record).
    """
    with rt.transaction() as session:
        row = session.get(ProposalAttachment, attachment_id)
        if row is None:
            raise NotFound(f"attachment {attachment_id} does not exist")
        proposal = visible_proposal(session, actor, row.proposal_id)
        if row.uploaded_by != actor.username:
            raise Forbidden("only the person who attached a file may remove it")
        if proposal.status != "draft":
            raise Conflict("files of a published proposal are part of its record and stay")
        stored, proposal_id = row.stored_name, row.proposal_id
        session.delete(row)
    (directory / stored).unlink(missing_ok=True)
    return proposal_id


def case_proposal_files(session: so.Session, case: Case, documents: list[dict[str, Any]], **_: Any) -> None:
    """A proposal case's files, offered beside its tasks (the ``case_documents`` hook of engine.summary)."""
    rows = session.execute(sa.select(ProposalAttachment.id, ProposalAttachment.filename, ProposalAttachment.uploaded_at)
                           .join(Proposal, Proposal.id == ProposalAttachment.proposal_id)
                           .where(Proposal.case_id == case.id)).all()
    documents.extend({"title": name, "url": f"/proposals/attachments/{file_id}", "created_at": at.isoformat()}
                     for file_id, name, at in rows)
