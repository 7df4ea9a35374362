"""Staff roles are Django groups; their permissions are set in a data migration."""

from django.utils.translation import gettext_lazy as _

COMMUNITY_WORKER = "community_worker"
FUND_ADMINISTRATOR = "fund_administrator"
EDITOR = "editor"

ROLE_LABELS = {
    COMMUNITY_WORKER: _("Community worker"),
    FUND_ADMINISTRATOR: _("Fund administrator"),
    EDITOR: _("Editor"),
}
