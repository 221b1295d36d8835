"""Thin authoring views: parse a form, call a service or save the object, redirect (post/redirect/get)."""
from civictest.feedback.tokens import form_url
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from civictest.auth import oidc
from civictest.extensions import db
from civictest.manage import bp
from civictest.manage.labels import template_globals
from civictest.web.forms import option
from civictest.manage.forms import (
    DepartmentForm, IterationForm, ServiceForm, SessionForm, StudyForm, TaskForm, UserForm,
)
from civictest.models import AuditEvent, Department, Iteration, Service, Task, TestSession, User
from civictest.security import audit, get_visible_or_404, services_for
from civictest.services import accounts, catalog, publication, two_factor
from civictest.services.errors import Conflict, DomainError


@bp.context_processor
def _labels() -> dict:
    return template_globals()


def _admin_only() -> None:
    if current_user.role != "admin":
        abort(403)


def _form_page(form, title: str, back: str):  # noqa: ANN001, ANN202
    return render_template("manage/form.html", form=form, title=title, back=back), 400 if form.errors else 200


def _saved(obj, action: str, target: str):  # noqa: ANN001, ANN202
    audit(action, obj)
    db.session.commit()
    flash(_("保存しました"))
    return redirect(target)


@bp.route("/")
def index():
    departments = db.session.scalars(select(Department).order_by(Department.id)).all()
    return render_template("manage/index.html", services=services_for(current_user), departments=departments)


@bp.route("/departments/new", methods=["GET", "POST"])
@bp.route("/departments/<int:department_id>/edit", methods=["GET", "POST"])
def edit_department(department_id: int | None = None):
    _admin_only()
    department = db.get_or_404(Department, department_id) if department_id else Department()
    form = DepartmentForm(obj=department)
    if form.validate_on_submit():
        form.populate_obj(department)
        db.session.add(department)
        return _saved(department, "department_saved", url_for("manage.index"))
    return _form_page(form, _("部局"), url_for("manage.index"))


def _service_form(service: Service) -> ServiceForm:
    form = ServiceForm(obj=service)
    # A required select starts with an empty choice (HTML: a required select's first option is a placeholder).
    form.department_id.choices = [("", _("選んでください"))] + [
        option(d.id, d.name_ja) for d in db.session.scalars(select(Department).order_by(Department.id))]
    return form


@bp.route("/services/new", methods=["GET", "POST"])
def new_service():
    _admin_only()
    service = Service()
    form = _service_form(service)
    if form.validate_on_submit():
        form.populate_obj(service)
        db.session.add(service)
        db.session.flush()
        return _saved(service, "service_created", url_for("manage.service", service_id=service.id))
    return _form_page(form, _("サービスを追加"), url_for("manage.index"))


@bp.route("/services/<int:service_id>")
def service(service_id: int):
    service = get_visible_or_404(Service, service_id, lambda s: s.id)
    return render_template("manage/service.html", service=service, feedback_url=form_url(service.id))


@bp.route("/services/<int:service_id>/edit", methods=["GET", "POST"])
def edit_service(service_id: int):
    service = get_visible_or_404(Service, service_id, lambda s: s.id)
    form = _service_form(service)
    if current_user.role != "admin":
        form.department_id.choices = [("", _("選んでください")), option(service.department_id, service.department.name_ja)]
    if form.validate_on_submit():
        form.populate_obj(service)
        return _saved(service, "service_saved", url_for("manage.service", service_id=service.id))
    return _form_page(form, _("サービスを編集"), url_for("manage.service", service_id=service.id))


@bp.route("/services/<int:service_id>/tasks/new", methods=["GET", "POST"])
@bp.route("/tasks/<int:task_id>/edit", methods=["GET", "POST"])
def edit_task(service_id: int | None = None, task_id: int | None = None):
    if task_id:
        task = get_visible_or_404(Task, task_id)
    else:
        task = Task(service=get_visible_or_404(Service, service_id, lambda s: s.id))
    form = TaskForm(obj=task)
    if form.validate_on_submit():
        form.populate_obj(task)
        db.session.add(task)
        return _saved(task, "task_saved", url_for("manage.service", service_id=task.service.id))
    return _form_page(form, _("タスク"), url_for("manage.service", service_id=task.service.id))


@bp.route("/services/<int:service_id>/iterations/new", methods=["GET", "POST"])
def new_iteration(service_id: int):
    service = get_visible_or_404(Service, service_id, lambda s: s.id)
    form = IterationForm()
    if form.validate_on_submit():
        iteration = catalog.create_iteration(service, form.label.data)
        form.populate_obj(iteration)
        db.session.flush()
        return _saved(iteration, "iteration_created", url_for("manage.iteration", iteration_id=iteration.id))
    return _form_page(form, _("新しい版を追加"), url_for("manage.service", service_id=service.id))


@bp.route("/iterations/<int:iteration_id>")
def iteration(iteration_id: int):
    iteration = get_visible_or_404(Iteration, iteration_id)
    return _iteration_page(iteration, StudyForm(obj=iteration.study))


def _iteration_page(iteration: Iteration, study_form: StudyForm, status: int = 200):  # noqa: ANN202
    sessions = db.session.scalars(
        select(TestSession).where(TestSession.study_id == iteration.study.id).order_by(TestSession.id)
    ).all()
    return render_template("manage/iteration.html", iteration=iteration, study_form=study_form, sessions=sessions), status


@bp.route("/iterations/<int:iteration_id>/edit", methods=["GET", "POST"])
def edit_iteration(iteration_id: int):
    iteration = get_visible_or_404(Iteration, iteration_id)
    form = IterationForm(obj=iteration)
    if form.validate_on_submit():
        was_published = iteration.published
        form.populate_obj(iteration)
        if iteration.published != was_published:
            try:
                catalog.set_published(iteration, iteration.published)
            except Conflict:
                db.session.rollback()
                form.published.errors = [*form.published.errors, _open_sessions_message()]
                return _form_page(form, _("版を編集"), url_for("manage.iteration", iteration_id=iteration_id))
            audit("iteration_published" if iteration.published else "iteration_unpublished", iteration)
        return _saved(iteration, "iteration_saved", url_for("manage.iteration", iteration_id=iteration.id))
    return _form_page(form, _("版を編集"), url_for("manage.iteration", iteration_id=iteration.id))


def _open_sessions_message() -> str:
    return _("受付中のテストセッションがあるため公開できません。すべてのセッションの受付を終了してから公開してください。")


@bp.route("/iterations/<int:iteration_id>/republish", methods=["POST"])
def republish_iteration(iteration_id: int):
    """Publish a published iteration again (after a correction): the open data gets its next version."""
    iteration = get_visible_or_404(Iteration, iteration_id)
    if not iteration.published:
        abort(409)
    try:
        snapshot = publication.publish(iteration)
    except Conflict:
        db.session.rollback()
        flash(_open_sessions_message())
        return redirect(url_for("manage.iteration", iteration_id=iteration_id))
    audit("iteration_republished", iteration)
    db.session.commit()
    flash(_("オープンデータを第%(version)s版として公開しました", version=snapshot.version))
    return redirect(url_for("manage.iteration", iteration_id=iteration_id))


@bp.route("/iterations/<int:iteration_id>/study", methods=["POST"])
def edit_study(iteration_id: int):
    iteration = get_visible_or_404(Iteration, iteration_id)
    form = StudyForm(obj=iteration.study)
    if not form.validate_on_submit():
        return _iteration_page(iteration, form, 400)
    order = catalog.parse_task_order(request.form, [t.id for t in iteration.service.tasks])
    catalog.set_study_tasks(iteration.study, order)
    form.populate_obj(iteration.study)
    return _saved(iteration.study, "study_saved", url_for("manage.iteration", iteration_id=iteration.id))


@bp.route("/iterations/<int:iteration_id>/sessions/new", methods=["GET", "POST"])
@bp.route("/sessions/<int:session_id>/edit", methods=["GET", "POST"])
def edit_session(iteration_id: int | None = None, session_id: int | None = None):
    if session_id:
        test_session = get_visible_or_404(TestSession, session_id, lambda s: s.study.iteration.service_id)
        study = test_session.study
    else:
        study = get_visible_or_404(Iteration, iteration_id).study
        test_session = None
    form = SessionForm(obj=test_session or TestSession(capacity=50, is_open=True))
    if form.validate_on_submit():
        test_session = test_session or catalog.create_session(study)
        del form.venue_postal_code  # only used to fill the municipality code
        form.populate_obj(test_session)
        test_session.venue_municipality_code = test_session.venue_municipality_code or None
        return _saved(test_session, "session_saved", url_for("manage.iteration", iteration_id=study.iteration_id))
    return _form_page(form, _("テストセッション"), url_for("manage.iteration", iteration_id=study.iteration_id))


@bp.route("/users")
def users():
    _admin_only()
    return render_template("manage/users.html", users=db.session.scalars(select(User).order_by(User.id)).all())


# The account service's refusals, shown at the field they are about.
_USER_FIELD_ERRORS = {
    "email_taken": ("email", _l("このメールアドレスはすでに使われています")),
    "password_required": ("password", _l("新しいアカウントにはパスワードを入力してください")),
}


@bp.route("/users/new", methods=["GET", "POST"])
@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
def edit_user(user_id: int | None = None):
    _admin_only()
    user = db.get_or_404(User, user_id) if user_id else None
    form = UserForm(obj=user, service_ids=[s.id for s in user.services] if user else [])
    form.service_ids.choices = [(s.id, s.name_ja) for s in services_for(current_user)]  # labels: lang in the macro
    if form.validate_on_submit():
        try:
            user = accounts.save_user(user, form.data, sso_accounts=oidc.enabled())
        except DomainError as error:
            db.session.rollback()
            if error.message not in _USER_FIELD_ERRORS:
                raise
            field, message = _USER_FIELD_ERRORS[error.message]
            form[field].errors.append(message)
        else:
            return _saved(user, "user_saved", url_for("manage.users"))
    return _form_page(form, _("職員アカウント"), url_for("manage.users"))


@bp.route("/users/<int:user_id>/two-factor/reset", methods=["POST"])
def reset_two_factor(user_id: int):
    """For a person who lost the phone and the recovery codes: the second factor is removed (they can set it up
    again after signing in with the password); audited."""
    _admin_only()
    user = db.get_or_404(User, user_id)
    had = user.has_totp
    two_factor.remove(user)
    audit("totp_reset", user, had_totp=had)
    db.session.commit()
    flash(_("%(email)s の2段階認証を解除しました", email=user.email))
    return redirect(url_for("manage.users"))


@bp.route("/audit")
def audit_log():
    _admin_only()
    events = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(500)).all()
    return render_template("manage/audit.html", events=events)
