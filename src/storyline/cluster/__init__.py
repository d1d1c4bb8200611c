"""Cluster stage: online assignment of items to stories, storylines, off-topic filtering.

``OnlineClusterer`` assigns items one at a time (see ``storyline.cluster.online`` for the method);
``cluster_stream`` runs normalize -> embed -> assign over articles (``storyline cluster FILE``);
``filter_off_topic`` / ``filter_clusters`` find members that do not belong (``storyline filter``).
"""

from storyline.cluster.base import Clusterer, OffTopicFilter, StoryState
from storyline.cluster.offtopic import (
    CoreOffTopicFilter,
    filter_clusters,
    filter_off_topic,
    off_topic_scores,
)
from storyline.cluster.online import OnlineClusterer
from storyline.cluster.storylines import group_storylines
from storyline.cluster.stream import cluster_stream, time_order

__all__ = [
    "Clusterer",
    "CoreOffTopicFilter",
    "OffTopicFilter",
    "OnlineClusterer",
    "StoryState",
    "cluster_stream",
    "filter_clusters",
    "filter_off_topic",
    "group_storylines",
    "off_topic_scores",
    "time_order",
]
