"""The approval task of procedures: one Wagtail ``Task`` with a stage (review or approve) that asks
``documents.policy`` about the page, not Wagtail groups (``GroupApprovalTask`` ignores the page
and lets superusers act). Its workflow and finish action are in ``documents.workflow``."""

from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.utils.translation import gettext, pgettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from wagtail.models import Task

from documents import policy


class ApprovalStage(models.TextChoices):
    REVIEW = policy.REVIEW, pgettext_lazy("approval stage", "Xem xét")
    APPROVE = policy.APPROVE, pgettext_lazy("approval stage", "Phê duyệt")


class ProcedureApprovalTask(Task):
    stage = models.CharField(_("bước"), max_length=10, choices=ApprovalStage.choices)

    admin_form_fields = [*Task.admin_form_fields, "stage"]

    class Meta:
        verbose_name = _("bước phê duyệt quy trình")
        verbose_name_plural = _("bước phê duyệt quy trình")

    @classmethod
    def get_description(cls):
        return _(
            "Xem xét: lãnh đạo đơn vị chủ trì hoặc cán bộ đầu mối khác của cơ quan; phê duyệt: "
            "lãnh đạo cơ quan phê duyệt. Người soạn thảo, người xem xét và người phê duyệt là ba "
            "người khác nhau."
        )

    def may_act(self, page, user) -> bool:
        return policy.may_act(user, page, self.stage)

    def start(self, workflow_state, user=None):
        from documents.workflow import notify_stage_started

        task_state = super().start(workflow_state, user=user)
        notify_stage_started(task_state=task_state, stage=self.stage)
        return task_state

    def user_can_access_editor(self, obj, user):
        return self.may_act(obj, user)

    def locked_for_user(self, obj, user):
        return not self.may_act(obj, user)

    def user_can_lock(self, obj, user):
        return self.may_act(obj, user)

    def user_can_unlock(self, obj, user):
        return False

    def get_actions(self, obj, user):
        if not self.may_act(obj, user):
            return []
        if self.stage == policy.REVIEW:
            done = gettext("Đồng ý (đã xem xét)")
        else:
            done = pgettext("approval action", "Phê duyệt")
        return [
            ("reject", gettext("Trả lại để sửa"), True),
            ("approve", done, False),
            ("approve", gettext("%(action)s, kèm ý kiến") % {"action": done}, True),
        ]

    def get_form_for_action(self, action):
        from documents.workflow import RejectionForm

        if action == "reject":
            return RejectionForm
        return super().get_form_for_action(action)

    def get_task_states_user_can_moderate(self, user, **kwargs):
        from wagtail.models import TaskState

        in_progress = self.task_states.filter(status=TaskState.STATUS_IN_PROGRESS)
        ids = [
            state.pk
            for state in in_progress.select_related("workflow_state")
            if self.may_act(state.workflow_state.content_object, user)
        ]
        return TaskState.objects.filter(pk__in=ids)

    @transaction.atomic
    def on_action(self, task_state, user, action_name, **kwargs):
        from documents.workflow import notify_rejected

        # Asked again here, of the task state's own page: Wagtail's workflow action view checks
        # the actions on the page named in the URL, which need not be the task state's.
        page = task_state.workflow_state.content_object
        if not self.may_act(page, user):
            raise PermissionDenied(
                gettext("Bạn không có quyền %(stage)s quy trình này.")
                % {"stage": self.get_stage_display().lower()}
            )
        super().on_action(task_state, user, action_name, **kwargs)
        if action_name == "reject":
            notify_rejected(task_state=task_state, user=user)
