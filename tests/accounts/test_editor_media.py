"""Editors open Wagtail's images and documents: their role has the collection permissions."""

import importlib

import pytest
from django.apps import apps
from wagtail.models import Collection, GroupCollectionPermission

from accounts import roles, services
from tests.accounts import factories as f

pytestmark = pytest.mark.django_db

migration = importlib.import_module("accounts.migrations.0004_editor_collections")


@pytest.mark.parametrize("url", ["/cms/images/", "/cms/documents/", "/cms/images/chooser/"])
def test_an_editor_opens_images_and_documents(client, url):
    editor = services.staff_role_grant(user=f.UserFactory(), role=roles.EDITOR)
    client.force_login(editor)
    assert client.get(url).status_code == 200


def test_the_grant_is_on_the_root_collection_and_safe_to_run_twice():
    root = Collection.get_first_root_node()
    granted = GroupCollectionPermission.objects.filter(group__name=roles.EDITOR, collection=root)
    assert set(granted.values_list("permission__codename", flat=True)) == {
        "add_image",
        "change_image",
        "choose_image",
        "add_document",
        "change_document",
        "choose_document",
    }
    migration.grant(apps, None)
    assert granted.count() == 6
