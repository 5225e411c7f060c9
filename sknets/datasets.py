"""Small synthetic data sets that show what a model family can do.

Made in memory from a seed, like scikit-learn's ``make_*`` generators: no
download, no file.
"""

from __future__ import annotations

import numpy as np
from sklearn.utils import check_random_state

__all__ = ["make_adding_problem", "make_moving_squares"]


def make_moving_squares(
    n_samples=200,
    *,
    n_frames=8,
    frame_size=16,
    square_size=3,
    noise=0.1,
    random_state=None,
):
    """Short grayscale videos of a square moving right (class 0) or left (1).

    Each video starts with the square at a random row and column and moves it
    by one pixel per frame. Starting columns are drawn so that both classes
    put the square at the same positions with the same frequencies: a single
    frame, or the average of the frames, says nothing about the class. Only
    the order of the frames does, which is what a CNN+RNN model
    (:class:`~sknets.CRNNClassifier`) reads and a per-frame model cannot.

    Parameters
    ----------
    n_samples : int, default=200
        Number of videos.
    n_frames : int, default=8
        Frames per video.
    frame_size : int, default=16
        Height and width of a frame.
    square_size : int, default=3
        Side of the square.
    noise : float, default=0.1
        Standard deviation of the Gaussian noise added to every pixel.
    random_state : int, RandomState instance or None, default=None
        Seed of the videos.

    Returns
    -------
    X : ndarray of shape (n_samples, n_frames, frame_size, frame_size)
        The videos, float32, background 0 and square 1 before noise.
    y : ndarray of shape (n_samples,)
        Direction of motion: 0 right, 1 left.

    Examples
    --------
    >>> from sknets.datasets import make_moving_squares
    >>> X, y = make_moving_squares(10, random_state=0)
    >>> X.shape, y.shape
    ((10, 8, 16, 16), (10,))
    """
    rng = check_random_state(random_state)
    span = frame_size - square_size - (n_frames - 1)
    if span < 0:
        raise ValueError(
            f"A square of side {square_size} moving {n_frames - 1} pixels does not "
            f"fit in frames of size {frame_size}; use frame_size >= "
            f"{square_size + n_frames - 1}."
        )
    y = rng.randint(0, 2, size=n_samples)
    X = rng.normal(scale=noise, size=(n_samples, n_frames, frame_size, frame_size))
    X = X.astype(np.float32)
    for i, label in enumerate(y):
        row = rng.randint(0, frame_size - square_size + 1)
        cols = rng.randint(0, span + 1) + np.arange(n_frames)
        if label:
            cols = cols[::-1]
        for t, col in enumerate(cols):
            X[i, t, row : row + square_size, col : col + square_size] += 1.0
    return X, y


def make_adding_problem(n_samples=1000, length=40, random_state=None):
    """The adding problem of Hochreiter and Schmidhuber (1997): a regression
    that needs a memory across the whole sequence.

    Each sequence has two channels: random values drawn uniformly from
    [0, 1), and markers, 1.0 on one step of the first half and one step of
    the second half, 0.0 elsewhere. The target is the sum of the two marked
    values. Always predicting 1.0 gives a mean squared error of 1/6.

    Parameters
    ----------
    n_samples : int, default=1000
        Number of sequences.
    length : int, default=40
        Steps per sequence (at least 2).
    random_state : int, RandomState instance or None, default=None
        Seed of the values and the marker positions.

    Returns
    -------
    X : ndarray of shape (n_samples, length, 2)
        The values (channel 0) and the markers (channel 1).
    y : ndarray of shape (n_samples,)
        The sum of the two marked values.
    """
    if length < 2:
        raise ValueError(f"length must be at least 2, got {length}.")
    rng = check_random_state(random_state)
    values = rng.uniform(size=(n_samples, length))
    markers = np.zeros((n_samples, length))
    rows = np.arange(n_samples)
    markers[rows, rng.randint(0, length // 2, size=n_samples)] = 1.0
    markers[rows, rng.randint(length // 2, length, size=n_samples)] = 1.0
    return np.stack([values, markers], axis=2), (values * markers).sum(axis=1)
