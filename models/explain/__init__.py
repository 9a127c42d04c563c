"""Explanation heatmaps: Dist-CAM for siamese (metric-learning) models, CAM for classifiers.

``cam`` holds the formulas (numpy, no model), ``localisation`` the pointing game and IoU against
a segmentation, ``onnx_features`` the graph surgery that exposes an exported model's last feature
map, ``explainers`` the per-model heatmap makers and ``evaluate`` the data-set measurement.
"""
