"""The public site's pages: home, standard, news index and news article.

They were charity's until the layers were drawn. In a database made before, their tables
are renamed from charity_* and their content types relabelled, so every existing page,
revision and permission keeps pointing at them; a new database creates the tables.
"""

import django.db.models.deletion
import wagtail.fields
from django.conf import settings
from django.db import migrations, models

from core.migration_ops import content_type_relabel, table_adopt, table_exists


PAGES = ["homepage", "newsarticlepage", "newsindexpage", "standardpage"]


def adopt_or_create(apps, schema_editor):
    for name in PAGES:
        Model = apps.get_model("portal", name)
        if table_adopt(apps, schema_editor, model=f"portal.{name}", old_table=f"charity_{name}"):
            content_type_relabel(apps, old_app="charity", new_app="portal", model=name)
        elif not table_exists(schema_editor, Model._meta.db_table):
            schema_editor.create_model(Model)


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('wagtailcore', '0098_apitoken'),
        ('contenttypes', '0002_remove_content_type_name'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
        migrations.CreateModel(
            name='HomePage',
            fields=[
                ('page_ptr', models.OneToOneField(auto_created=True, on_delete=django.db.models.deletion.CASCADE, parent_link=True, primary_key=True, serialize=False, to=settings.WAGTAIL_PAGE_MODEL)),
                ('intro', wagtail.fields.RichTextField(blank=True, verbose_name='introduction')),
            ],
            options={
                'verbose_name': 'home page',
            },
            bases=('wagtailcore.page',),
        ),
        migrations.CreateModel(
            name='NewsArticlePage',
            fields=[
                ('page_ptr', models.OneToOneField(auto_created=True, on_delete=django.db.models.deletion.CASCADE, parent_link=True, primary_key=True, serialize=False, to=settings.WAGTAIL_PAGE_MODEL)),
                ('date', models.DateField(verbose_name='date')),
                ('intro', models.CharField(blank=True, max_length=250, verbose_name='summary')),
                ('body', wagtail.fields.StreamField([('heading', 0), ('paragraph', 1), ('image', 2)], blank=True, block_lookup={0: ('wagtail.blocks.CharBlock', (), {'form_classname': 'title', 'label': 'Heading'}), 1: ('wagtail.blocks.RichTextBlock', (), {'label': 'Paragraph'}), 2: ('wagtail.images.blocks.ImageBlock', [], {'label': 'Image'})}, verbose_name='body')),
            ],
            options={
                'verbose_name': 'news article',
            },
            bases=('wagtailcore.page',),
        ),
        migrations.CreateModel(
            name='NewsIndexPage',
            fields=[
                ('page_ptr', models.OneToOneField(auto_created=True, on_delete=django.db.models.deletion.CASCADE, parent_link=True, primary_key=True, serialize=False, to=settings.WAGTAIL_PAGE_MODEL)),
                ('intro', wagtail.fields.RichTextField(blank=True, verbose_name='introduction')),
            ],
            options={
                'verbose_name': 'news index',
            },
            bases=('wagtailcore.page',),
        ),
        migrations.CreateModel(
            name='StandardPage',
            fields=[
                ('page_ptr', models.OneToOneField(auto_created=True, on_delete=django.db.models.deletion.CASCADE, parent_link=True, primary_key=True, serialize=False, to=settings.WAGTAIL_PAGE_MODEL)),
                ('body', wagtail.fields.StreamField([('heading', 0), ('paragraph', 1), ('image', 2)], blank=True, block_lookup={0: ('wagtail.blocks.CharBlock', (), {'form_classname': 'title', 'label': 'Heading'}), 1: ('wagtail.blocks.RichTextBlock', (), {'label': 'Paragraph'}), 2: ('wagtail.images.blocks.ImageBlock', [], {'label': 'Image'})}, verbose_name='body')),
            ],
            options={
                'verbose_name': 'standard page',
            },
            bases=('wagtailcore.page',),
        ),
        ]),
        migrations.RunPython(adopt_or_create, migrations.RunPython.noop),
    ]
