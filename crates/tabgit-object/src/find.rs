//! The object-database traits every algorithm is written against.
//!
//! Lookups are synchronous and fill a caller-supplied buffer (gitoxide's `Find`). A store that
//! does not have an object answers `Ok(None)`: in a partial clone the caller collects the missing
//! ids, the async layer fetches them, and the operation runs again (see `ARCHITECTURE.md`,
//! "Where async stops").

use crate::{Kind, ObjectId};

/// A failure of the store itself (I/O, corruption), as opposed to an object being absent.
pub type Error = Box<dyn std::error::Error + Send + Sync + 'static>;

/// An object's kind and content, borrowed from the caller's buffer.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Data<'a> {
    /// The object's type.
    pub kind: Kind,
    /// The object's content (without the loose-object header).
    pub data: &'a [u8],
}

/// Look objects up by id.
pub trait Find {
    /// Find `id`, writing its content into `buf`. `Ok(None)` means the object is not stored here.
    fn try_find<'a>(&self, id: &ObjectId, buf: &'a mut Vec<u8>) -> Result<Option<Data<'a>>, Error>;

    /// Whether `id` is stored, without necessarily reading it.
    fn contains(&self, id: &ObjectId) -> bool {
        let mut buf = Vec::new();
        matches!(self.try_find(id, &mut buf), Ok(Some(_)))
    }
}

/// Store new objects.
pub trait Write {
    /// Store an object and return its id. Storing an object that exists is not an error.
    fn write(&mut self, kind: Kind, data: &[u8]) -> Result<ObjectId, Error>;
}

impl<T: Find + ?Sized> Find for &T {
    fn try_find<'a>(&self, id: &ObjectId, buf: &'a mut Vec<u8>) -> Result<Option<Data<'a>>, Error> {
        (**self).try_find(id, buf)
    }
    fn contains(&self, id: &ObjectId) -> bool {
        (**self).contains(id)
    }
}
