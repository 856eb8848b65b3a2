"""Sources of facts other than the model itself: real configuration files of the components."""
