"""The re-ranker network: character embeddings of text and candidate, their interaction, pair features and a
learned per-label bias → one logit per (text, candidate) pair. About 0.3 M parameters."""

from __future__ import annotations

import torch
from torch import nn

__all__ = ["PairScorer"]


class PairScorer(nn.Module):
    def __init__(self, n_chars: int, n_labels: int, n_features: int, dim: int = 48, hidden: int = 128) -> None:
        super().__init__()
        self.chars = nn.Embedding(n_chars, dim, padding_idx=0)
        self.label_bias = nn.Embedding(n_labels, 1)
        nn.init.zeros_(self.label_bias.weight)
        self.mlp = nn.Sequential(
            nn.Linear(2 * dim + n_features, hidden),
            nn.ReLU(),
            nn.Dropout(0.1),
            nn.Linear(hidden, hidden // 2),
            nn.ReLU(),
            nn.Linear(hidden // 2, 1),
        )

    def _pool(self, ids: torch.Tensor) -> torch.Tensor:
        mask = (ids > 0).unsqueeze(-1).to(torch.float32)
        summed = (self.chars(ids) * mask).sum(dim=1)
        return summed / mask.sum(dim=1).clamp(min=1.0)

    def forward(
        self, text_chars: torch.Tensor, cand_chars: torch.Tensor, label_ids: torch.Tensor, features: torch.Tensor
    ) -> torch.Tensor:
        text = self._pool(text_chars)
        cand = self._pool(cand_chars)
        joined = torch.cat([text * cand, (text - cand).abs(), features], dim=-1)
        return self.mlp(joined).squeeze(-1) + self.label_bias(label_ids).squeeze(-1)
