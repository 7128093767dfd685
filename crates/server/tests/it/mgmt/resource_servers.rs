//! TODO(helper): tests of this resource.
