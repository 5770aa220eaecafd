"""Each agency's Wagtail collection (where its documents and images live), created with the agency
and nested like the agency tree, so collection permissions on a body cover its units."""

from django.db import transaction
from wagtail.models import Collection

from qms.models import Agency


def collection_name(agency: Agency) -> str:
    # Units of different bodies share names ("Văn phòng Sở"): the code tells them apart.
    suffix = f" ({agency.code})"
    room = Collection._meta.get_field("name").max_length - len(suffix)
    return f"{agency.name[:room].rstrip()}{suffix}"


@transaction.atomic
def agency_collection_ensure(agency: Agency) -> Collection:
    """The agency's collection, created under its parent's (or the root) when missing."""
    if agency.collection_id:
        return agency.collection
    if agency.parent_id:
        parent = agency_collection_ensure(agency.parent)
    else:
        parent = Collection.get_first_root_node()
    parent = Collection.objects.get(pk=parent.pk)  # treebeard needs a fresh numchild
    collection = parent.add_child(name=collection_name(agency))
    agency.collection = collection
    agency.save(update_fields=["collection"])
    return collection


@transaction.atomic
def agency_collection_move(agency: Agency) -> None:
    """Keep the collection tree in step when an agency moves under another parent."""
    collection = agency_collection_ensure(agency)
    target = (
        agency_collection_ensure(agency.parent)
        if agency.parent_id
        else Collection.get_first_root_node()
    )
    collection = Collection.objects.get(pk=collection.pk)
    current_parent = collection.get_parent()
    if current_parent is None or current_parent.pk != target.pk:
        collection.move(Collection.objects.get(pk=target.pk), pos="sorted-child")
