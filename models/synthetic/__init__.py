"""The synthetic chairlift world: lifts, registered images, masks, segmentation, videos."""
