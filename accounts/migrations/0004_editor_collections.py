"""Editors manage images and documents.

Wagtail asks for image and document permissions on a collection (the model permissions given
in 0002_roles are not enough): give the editor role add, change and choose for both on the
root collection, which every other collection sits under. Safe to run twice.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITOR_COLLECTION_PERMISSIONS = [
    ("wagtailimages", "image", "add_image"),
    ("wagtailimages", "image", "change_image"),
    ("wagtailimages", "image", "choose_image"),
    ("wagtaildocs", "document", "add_document"),
    ("wagtaildocs", "document", "change_document"),
    ("wagtaildocs", "document", "choose_document"),
]


def grant(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    Collection = apps.get_model("wagtailcore", "Collection")
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")
    root = Collection.objects.filter(depth=1).first()
    editor = Group.objects.filter(name="editor").first()
    if root is None or editor is None:
        return
    for app_config in apps.get_app_configs():
        if app_config.label in {"wagtailimages", "wagtaildocs"}:
            app_config.models_module = True
            create_permissions(app_config, verbosity=0)
            app_config.models_module = None
    for app_label, model, codename in EDITOR_COLLECTION_PERMISSIONS:
        permission = Permission.objects.get(
            content_type__app_label=app_label, content_type__model=model, codename=codename
        )
        GroupCollectionPermission.objects.get_or_create(
            group=editor, collection=root, permission=permission
        )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_warehouse"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtailimages", "0027_image_description"),
        ("wagtaildocs", "0014_alter_document_file_size"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
