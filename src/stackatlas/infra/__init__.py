"""The physical stack from Epoch AI's GPU-cluster data: power, compute, cost, by owner,
country and chip supplier, joined to atlas companies."""

from stackatlas.infra.clusters import CITATION, epoch_dir, load_clusters
from stackatlas.infra.summary import UTILIZATION, InfraSummary, infra_summary

__all__ = ["CITATION", "UTILIZATION", "InfraSummary", "epoch_dir", "infra_summary", "load_clusters"]
