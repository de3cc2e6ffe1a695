"""Case documents: the list of a case's documents and each file, for whoever may read the case."""

from __future__ import annotations

from io import BytesIO

from flask import g, jsonify, send_file

from engine.documents.store import case_documents, document_file

from ..runtime import rt
from .blueprint import bp


@bp.get("/cases/<int:case_id>/documents")
def case_document_list(case_id: int):  # type: ignore[no-untyped-def]
    """Documents the case's process produced, oldest first"""
    with rt().reading() as session:
        return jsonify(case_documents(session, g.actor, case_id))


@bp.get("/documents/<int:document_id>")
def document_download(document_id: int):  # type: ignore[no-untyped-def]
    """One document's file"""
    with rt().reading() as session:
        found = document_file(session, g.actor, document_id)
    return send_file(BytesIO(found.content), mimetype=found.media_type, as_attachment=True,
                     download_name=found.filename)
