"""Staff roles as groups, with the permissions each needs."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ROLE_PERMISSIONS = {
    "community_worker": [
        ("wagtailadmin", "admin", "access_admin"),
        ("accounts", "station", "view_station"),
    ],
    "fund_administrator": [
        ("wagtailadmin", "admin", "access_admin"),
        ("accounts", "organisation", "add_organisation"),
        ("accounts", "organisation", "change_organisation"),
        ("accounts", "organisation", "view_organisation"),
        ("accounts", "station", "add_station"),
        ("accounts", "station", "change_station"),
        ("accounts", "station", "view_station"),
        ("core", "taskquarantine", "view_taskquarantine"),
    ],
    "editor": [
        ("wagtailadmin", "admin", "access_admin"),
        ("wagtailimages", "image", "add_image"),
        ("wagtailimages", "image", "change_image"),
        ("wagtailimages", "image", "choose_image"),
        ("wagtaildocs", "document", "add_document"),
        ("wagtaildocs", "document", "change_document"),
        ("wagtaildocs", "document", "choose_document"),
    ],
}
EDITOR_PAGE_PERMISSIONS = ["add_page", "change_page", "publish_page", "delete_page"]


def create_roles(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, perms in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        for app_label, model, codename in perms:
            group.permissions.add(
                Permission.objects.get(
                    content_type__app_label=app_label, content_type__model=model, codename=codename
                )
            )
    Page = apps.get_model("wagtailcore", "Page")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    root = Page.objects.filter(depth=1).first()
    if root is not None:
        editor = Group.objects.get(name="editor")
        for codename in EDITOR_PAGE_PERMISSIONS:
            permission = Permission.objects.get(content_type__app_label="wagtailcore", codename=codename)
            GroupPagePermission.objects.get_or_create(group=editor, page=root, permission=permission)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("core", "0001_initial"),
        ("wagtailadmin", "0006_formstate"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtailimages", "0027_image_description"),
        ("wagtaildocs", "0014_alter_document_file_size"),
    ]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
