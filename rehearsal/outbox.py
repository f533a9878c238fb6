"""Email delivery for SNS email subscriptions: each delivery becomes an .eml file in the outbox."""

from __future__ import annotations

import email.policy
import email.utils
import re
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from moto.sns.models import sns_backends

from rehearsal.deploy import ACCOUNT

SENDER = "AWS Notifications <no-reply@sns.amazonaws.com>"


@dataclass
class Email:
    subject: str
    body: str
    recipients: list[str]
    files: list[Path]


@dataclass
class Outbox:
    folder: Path
    region: str
    topic_arn: str
    emails: list[Email] = field(default_factory=list)
    _seen: int = 0

    def collect(self) -> list[Email]:
        """Deliver what the topic published since the last call; return the new emails."""
        backend = sns_backends[ACCOUNT][self.region]
        sent: list[Any] = backend.topics[self.topic_arn].sent_notifications
        recipients = [s.endpoint for s in backend.subscriptions.values()
                      if s.topic.arn == self.topic_arn and s.protocol == "email"]
        new = []
        for message_id, message, subject, *_ in sent[self._seen:]:
            new.append(self._write(message_id, subject or "", message, recipients))
        self._seen = len(sent)
        self.emails.extend(new)
        return new

    def _write(self, message_id: str, subject: str, body: str, recipients: list[str]) -> Email:
        self.folder.mkdir(parents=True, exist_ok=True)
        files = []
        for recipient in recipients:
            message = EmailMessage(policy=email.policy.SMTP)
            message["From"] = SENDER
            message["To"] = recipient
            message["Subject"] = subject
            message["Date"] = email.utils.formatdate(localtime=False)
            message["Message-ID"] = f"<{message_id}@sns.amazonaws.com>"
            message.set_content(body)
            slug = re.sub(r"[^A-Za-z0-9]+", "-", subject).strip("-")[:60]
            path = self.folder / f"{len(self.emails) + 1:03d}-{slug}-{recipient.split('@')[0]}.eml"
            path.write_bytes(message.as_bytes())
            files.append(path)
        return Email(subject, body, recipients, files)
