"""What is tested: departments, their services, each service's iterations, tasks and studies."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from civictest.extensions import db
from civictest.models.base import created_at_column

QUESTIONNAIRES = ("sus", "umux_lite")


class Department(db.Model):
    __tablename__ = "department"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name_ja: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = created_at_column()

    services: Mapped[list[Service]] = relationship(back_populates="department", order_by="Service.id")


class Service(db.Model):
    __tablename__ = "service"

    id: Mapped[int] = mapped_column(primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), index=True)
    name_ja: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200), default="")
    url: Mapped[str] = mapped_column(String(500), default="")
    description_ja: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    publish_fixes: Mapped[bool] = mapped_column(Boolean, default=False)  # "you said, we did" page
    created_at: Mapped[datetime] = created_at_column()

    department: Mapped[Department] = relationship(back_populates="services")
    iterations: Mapped[list[Iteration]] = relationship(back_populates="service", order_by="Iteration.number")
    tasks: Mapped[list[Task]] = relationship(back_populates="service", order_by="Task.id")


class Iteration(db.Model):
    """One version of a service under test (改善サイクル)."""

    __tablename__ = "iteration"
    __table_args__ = (UniqueConstraint("service_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(200))
    starts_on: Mapped[date | None] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    change_notes: Mapped[str] = mapped_column(Text, default="")
    previous_id: Mapped[int | None] = mapped_column(ForeignKey("iteration.id"))
    published: Mapped[bool] = mapped_column(Boolean, default=False)
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = created_at_column()

    service: Mapped[Service] = relationship(back_populates="iterations")
    previous: Mapped[Iteration | None] = relationship(remote_side="Iteration.id")
    study: Mapped[Study | None] = relationship(back_populates="iteration", uselist=False)


class Task(db.Model):
    """A task residents try; it belongs to the service and stays the same across iterations."""

    __tablename__ = "task"

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"), index=True)
    title_ja: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200), default="")
    instructions_ja: Mapped[str] = mapped_column(Text, default="")
    instructions_en: Mapped[str] = mapped_column(Text, default="")
    success_criteria: Mapped[str] = mapped_column(Text, default="")
    start_url: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = created_at_column()

    service: Mapped[Service] = relationship(back_populates="tasks")


class Study(db.Model):
    """An iteration's ordered task list and questionnaire; locked once residents have answered."""

    __tablename__ = "study"
    __table_args__ = (CheckConstraint("questionnaire IN ('sus', 'umux_lite')", name="questionnaire_kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    iteration_id: Mapped[int] = mapped_column(ForeignKey("iteration.id"), unique=True)
    questionnaire: Mapped[str] = mapped_column(String(20), default="sus")
    partial_counts_as_success: Mapped[bool] = mapped_column(Boolean, default=False)
    minutes_expected: Mapped[int] = mapped_column(Integer, default=15)
    locked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = created_at_column()

    iteration: Mapped[Iteration] = relationship(back_populates="study")
    study_tasks: Mapped[list[StudyTask]] = relationship(
        back_populates="study", order_by="StudyTask.position", cascade="all, delete-orphan"
    )

    @property
    def tasks(self) -> list[Task]:
        return [st.task for st in self.study_tasks]


class StudyTask(db.Model):
    __tablename__ = "study_task"
    __table_args__ = (UniqueConstraint("study_id", "task_id"), UniqueConstraint("study_id", "position"))

    id: Mapped[int] = mapped_column(primary_key=True)
    study_id: Mapped[int] = mapped_column(ForeignKey("study.id"), index=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)

    study: Mapped[Study] = relationship(back_populates="study_tasks")
    task: Mapped[Task] = relationship()
