"""The question asked at start-up about tickets a crash may have cut (printing/README.md).

A job left "printing" by a crash becomes "uncertain" and is never printed again
on its own: only the shopkeeper, looking at the paper, can say whether it came out.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtWidgets import QMessageBox, QWidget

from posapp.ui.i18n import tr

__all__ = ["ask_reprint", "question_for", "uncertain_box"]


def question_for(job: Any, number_of: Callable[[str], int | None]) -> str:
    """One sentence naming the ticket: order number if any, else the document's title."""
    if job.order_id:
        number = number_of(job.order_id) or job.order_id
        if job.kind == "kitchen":
            return tr("The kitchen ticket of order No. {n} may have been cut off. "
                      "Print it again?").format(n=number)
        if job.kind == "cancellation":
            return tr("The cancellation slip of order No. {n} may have been cut off. "
                      "Print it again?").format(n=number)
        return tr("The ticket of order No. {n} may have been cut off. Print it again?").format(
            n=number)
    try:
        title = json.loads(job.document).get("title") or job.kind
    except (ValueError, AttributeError):
        title = job.kind
    return tr("The ticket “{t}” may have been cut off. Print it again?").format(t=title)


def uncertain_box(jobs: Sequence[Any], number_of: Callable[[str], int | None],
                  parent: QWidget | None = None) -> QMessageBox:
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle(tr("Ticket possibly cut off"))
    box.setText("\n".join(question_for(job, number_of) for job in jobs))
    box.setInformativeText(tr("Comptoir stopped while it was printing. Look at the paper: "
                              "if the ticket is complete, answer No."))
    box.yes = box.addButton(tr("Yes, print it again"), QMessageBox.ButtonRole.YesRole)
    box.no = box.addButton(tr("No, it is complete"), QMessageBox.ButtonRole.NoRole)
    # Escape or closing must not mean "it came out": the job stays uncertain.
    box.later = box.addButton(tr("Decide later"), QMessageBox.ButtonRole.RejectRole)
    for button in (box.yes, box.no, box.later):
        button.setMinimumHeight(48)
    box.setDefaultButton(box.yes)
    box.setEscapeButton(box.later)
    return box


def ask_reprint(jobs: Sequence[Any], number_of: Callable[[str], int | None],
                parent: QWidget | None = None) -> bool | None:
    """True: print again; False: it came out; None: no answer yet (asked again next start)."""
    box = uncertain_box(jobs, number_of, parent)
    box.exec()
    clicked = box.clickedButton()
    box.deleteLater()
    return True if clicked is box.yes else False if clicked is box.no else None
