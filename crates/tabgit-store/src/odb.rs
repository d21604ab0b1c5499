//! The object database: loose objects and packs in `objects/` (`gitrepository-layout`).
//!
//! Packs are looked up first, then loose objects, as git does. A pack's index is read when the
//! database opens; its data only when an object in it is first needed. All packs share one
//! delta-base cache ([`tabgit_pack::bundle::Cache`]) with one budget.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock, RwLock};

use tabgit_hash::{ObjectId, Prefix};
use tabgit_object::{find, loose, Data, Find, Kind, Write};
use tabgit_pack::bundle::{self, Bundle, Limits};
use tabgit_pack::index::{self, Index, PrefixLookup};
use tabgit_pack::PackBytes;

use crate::files::{self, GitFiles, Transaction};

/// The reasons an object database operation failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The storage failed.
    #[error(transparent)]
    Files(#[from] files::Error),
    /// A pack index is damaged.
    #[error("pack index {name}.idx is damaged")]
    Index {
        /// The pack's name (`pack-<checksum>`).
        name: String,
        /// What is wrong.
        #[source]
        source: index::Error,
    },
    /// A pack is damaged or does not match its index.
    #[error("pack {name}.pack is damaged")]
    Pack {
        /// The pack's name.
        name: String,
        /// What is wrong.
        #[source]
        source: bundle::Error,
    },
    /// A pack's data file is missing.
    #[error("pack {name}.pack is missing although its index exists")]
    MissingPack {
        /// The pack's name.
        name: String,
    },
    /// A loose object file is damaged.
    #[error("loose object {id} is damaged")]
    Loose {
        /// The object.
        id: ObjectId,
        /// What is wrong.
        #[source]
        source: loose::Error,
    },
    /// An existing object has different content than a new one with the same id.
    #[error("object {id} already exists with different content (possible SHA-1 collision)")]
    Collision {
        /// The object.
        id: ObjectId,
    },
}

/// A boxed pack source as a [`tabgit_pack::bundle::PackData`] value.
struct BoxedPack(Box<dyn tabgit_pack::bundle::PackData>);

impl tabgit_pack::bundle::PackData for BoxedPack {
    fn len(&self) -> u64 {
        self.0.len()
    }
    fn read_at(
        &self,
        offset: u64,
        len: usize,
    ) -> Result<std::borrow::Cow<'_, [u8]>, tabgit_pack::bundle::ReadError> {
        self.0.read_at(offset, len)
    }
}

struct Pack {
    name: String,
    index: Index,
    bundle: OnceLock<Arc<Bundle>>,
}

/// The object database of one repository.
pub struct Odb<F> {
    files: F,
    packs: RwLock<Vec<Arc<Pack>>>,
    /// The position in `packs` of the pack the last packed object was found in: consecutive
    /// lookups tend to hit the same pack (git's `last_found_pack`).
    last_pack: AtomicUsize,
    limits: Limits,
    cache: Arc<bundle::Cache>,
}

/// Lifecycle
impl<F: GitFiles> Odb<F> {
    /// Open the object database stored in `files`, reading every pack index.
    pub fn open(files: F) -> Result<Self, Error> {
        Self::open_with_limits(files, Limits::default())
    }

    /// Like [`Odb::open`], with explicit limits for reading packs; `limits.cache_bytes` is the
    /// budget of the delta-base cache all packs share.
    pub fn open_with_limits(files: F, limits: Limits) -> Result<Self, Error> {
        let odb = Odb {
            files,
            packs: RwLock::default(),
            last_pack: AtomicUsize::new(0),
            cache: Arc::new(bundle::Cache::new(limits.cache_bytes)),
            limits,
        };
        odb.refresh()?;
        Ok(odb)
    }

    /// Change the budget of the delta-base cache (bytes of resolved objects kept to speed up
    /// reading delta chains), evicting what no longer fits. The browser, whose memory is
    /// tighter, may want less than the default ([`tabgit_pack::bundle::DEFAULT_CACHE_BYTES`]).
    pub fn set_cache_budget(&self, bytes: usize) {
        self.cache.set_budget(bytes);
    }

    /// How full the delta-base cache is.
    pub fn cache_stats(&self) -> bundle::CacheStats {
        self.cache.stats()
    }

    /// Re-read the list of packs (after another process added one).
    pub fn refresh(&self) -> Result<(), Error> {
        let mut packs = Vec::new();
        let known: Vec<Arc<Pack>> = self.packs_snapshot();
        for name in self.files.list("objects/pack")? {
            let Some(stem) = name.strip_suffix(".idx") else {
                continue;
            };
            if let Some(existing) = known.iter().find(|p| p.name == stem) {
                packs.push(Arc::clone(existing));
                continue;
            }
            let data = self
                .files
                .read(&format!("objects/pack/{name}"))?
                .unwrap_or_default();
            let index = Index::from_stored_bytes(data).map_err(|source| Error::Index {
                name: stem.to_owned(),
                source,
            })?;
            packs.push(Arc::new(Pack {
                name: stem.to_owned(),
                index,
                bundle: OnceLock::new(),
            }));
        }
        // Larger packs first: most objects live there.
        packs.sort_by_key(|p| std::cmp::Reverse(p.index.len()));
        *self
            .packs
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = packs;
        Ok(())
    }

    fn packs_snapshot(&self) -> Vec<Arc<Pack>> {
        self.packs
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    fn bundle(&self, pack: &Pack) -> Result<Arc<Bundle>, Error> {
        if let Some(bundle) = pack.bundle.get() {
            return Ok(Arc::clone(bundle));
        }
        let path = format!("objects/pack/{}.pack", pack.name);
        let data = self
            .files
            .pack_data(&path)?
            .ok_or_else(|| Error::MissingPack {
                name: pack.name.clone(),
            })?;
        let bundle = Bundle::with_cache(
            BoxedPack(data),
            pack.index.clone(),
            self.limits.clone(),
            Arc::clone(&self.cache),
        )
        .map_err(|source| Error::Pack {
            name: pack.name.clone(),
            source,
        })?;
        Ok(Arc::clone(pack.bundle.get_or_init(|| Arc::new(bundle))))
    }
}

/// Access
impl<F: GitFiles> Odb<F> {
    /// The files the database lives in.
    pub fn files(&self) -> &F {
        &self.files
    }

    /// The pack holding `id` and the object's position in its index.
    fn locate(&self, id: &ObjectId) -> Option<(Arc<Pack>, usize)> {
        let packs = self
            .packs
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let hint = self.last_pack.load(Ordering::Relaxed);
        if let Some(pack) = packs.get(hint) {
            if let Some(idx) = pack.index.lookup(id) {
                return Some((Arc::clone(pack), idx));
            }
        }
        packs.iter().enumerate().find_map(|(position, pack)| {
            if position == hint {
                return None;
            }
            let idx = pack.index.lookup(id)?;
            self.last_pack.store(position, Ordering::Relaxed);
            Some((Arc::clone(pack), idx))
        })
    }

    /// Read object `id` into `buf`; `None` if it is not stored.
    pub fn find(&self, id: &ObjectId, buf: &mut Vec<u8>) -> Result<Option<Kind>, Error> {
        if let Some((pack, idx)) = self.locate(id) {
            let bundle = self.bundle(&pack)?;
            return bundle
                .object_at(pack.index.offset_at(idx), buf)
                .map(Some)
                .map_err(|source| Error::Pack {
                    name: pack.name.clone(),
                    source,
                });
        }
        match self
            .files
            .read(&format!("objects/{}", loose::path_of(id)))?
        {
            Some(file) => {
                let (kind, data) = loose::decode(&file, self.limits.max_object_size)
                    .map_err(|source| Error::Loose { id: *id, source })?;
                *buf = data;
                Ok(Some(kind))
            }
            None => Ok(None),
        }
    }

    /// Whether `id` is stored, without reading it.
    pub fn has(&self, id: &ObjectId) -> Result<bool, Error> {
        if self.locate(id).is_some() {
            return Ok(true);
        }
        Ok(self
            .files
            .exists(&format!("objects/{}", loose::path_of(id)))?)
    }

    /// Find the object an abbreviated id names.
    pub fn lookup_prefix(&self, prefix: &Prefix) -> Result<PrefixLookup, Error> {
        let mut found: Option<ObjectId> = None;
        let mut add = |id: ObjectId| -> bool {
            match found {
                Some(existing) if existing != id => true,
                _ => {
                    found = Some(id);
                    false
                }
            }
        };
        for pack in self.packs_snapshot() {
            match pack.index.lookup_prefix(prefix) {
                PrefixLookup::None => {}
                PrefixLookup::Ambiguous => return Ok(PrefixLookup::Ambiguous),
                PrefixLookup::Unique(id) => {
                    if add(id) {
                        return Ok(PrefixLookup::Ambiguous);
                    }
                }
            }
        }
        let hex = prefix.min_id().to_hex();
        for name in self.files.list(&format!("objects/{}", &hex[..2]))? {
            let Ok(id) = ObjectId::from_hex(format!("{}{name}", &hex[..2]).as_bytes()) else {
                continue;
            };
            if prefix.matches(&id) && add(id) {
                return Ok(PrefixLookup::Ambiguous);
            }
        }
        Ok(found.map_or(PrefixLookup::None, PrefixLookup::Unique))
    }

    /// Every stored object id: packed first, then loose (may contain duplicates across them).
    pub fn all_ids(&self) -> Result<Vec<ObjectId>, Error> {
        let mut ids = Vec::new();
        for pack in self.packs_snapshot() {
            ids.extend(pack.index.iter().map(|(id, _, _)| id));
        }
        for dir in self.files.list("objects")? {
            if dir.len() != 2 || !dir.bytes().all(|b| b.is_ascii_hexdigit()) {
                continue;
            }
            for name in self.files.list(&format!("objects/{dir}"))? {
                if let Ok(id) = ObjectId::from_hex(format!("{dir}{name}").as_bytes()) {
                    ids.push(id);
                }
            }
        }
        Ok(ids)
    }

    /// Roughly how many objects are stored: every packed object plus the loose ones (git's
    /// `approximate_object_count`, which sizes abbreviations).
    pub fn approximate_count(&self) -> Result<usize, Error> {
        let packed: usize = self.packs_snapshot().iter().map(|p| p.index.len()).sum();
        let mut loose = 0;
        for dir in self.files.list("objects")? {
            if dir.len() == 2 && dir.bytes().all(|b| b.is_ascii_hexdigit()) {
                loose += self.files.list(&format!("objects/{dir}"))?.len();
            }
        }
        Ok(packed + loose)
    }

    /// The names (`pack-<checksum>`) of the packs.
    pub fn pack_names(&self) -> Vec<String> {
        self.packs_snapshot()
            .iter()
            .map(|p| p.name.clone())
            .collect()
    }
}

/// Mutation
impl<F: GitFiles> Odb<F> {
    /// Store a loose object unless it exists. An existing object with different bytes under the
    /// same id is refused, never overwritten.
    pub fn write_loose(&self, kind: Kind, data: &[u8]) -> Result<ObjectId, Error> {
        let (id, compressed) = loose::encode(kind, data);
        let mut existing = Vec::new();
        match self.find(&id, &mut existing)? {
            Some(found_kind) if found_kind == kind && existing == data => Ok(id),
            Some(_) => Err(Error::Collision { id }),
            None => {
                self.files
                    .write(&format!("objects/{}", loose::path_of(&id)), &compressed)?;
                Ok(id)
            }
        }
    }

    /// Store an indexed pack: the `.pack` first, then its `.idx`, so no reader sees an index
    /// without its data.
    pub fn add_pack(
        &self,
        pack: PackBytes,
        index: &[u8],
        checksum: &ObjectId,
    ) -> Result<String, Error> {
        let name = format!("pack-{checksum}");
        let parsed = Index::from_bytes(index.to_vec()).map_err(|source| Error::Index {
            name: name.clone(),
            source,
        })?;
        self.files
            .write_pack(&format!("objects/pack/{name}.pack"), pack)?;
        let mut tx = Transaction::default();
        tx.write(format!("objects/pack/{name}.idx"), index.to_vec());
        self.files.commit(tx)?;
        let entry = Arc::new(Pack {
            name: name.clone(),
            index: parsed,
            bundle: OnceLock::new(),
        });
        let mut packs = self
            .packs
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if !packs.iter().any(|p| p.name == name) {
            packs.insert(0, entry);
        }
        Ok(name)
    }
}

impl<F: GitFiles> Odb<F> {
    /// Remove a pack (`pack-<checksum>`): used to undo a fetch whose objects were refused.
    pub fn remove_pack(&self, name: &str) -> Result<(), Error> {
        let mut tx = Transaction::default();
        tx.remove(format!("objects/pack/{name}.idx"));
        tx.remove(format!("objects/pack/{name}.pack"));
        self.files.commit(tx)?;
        self.packs
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .retain(|p| p.name != name);
        Ok(())
    }
}

impl<F: GitFiles> Find for Odb<F> {
    fn try_find<'a>(
        &self,
        id: &ObjectId,
        buf: &'a mut Vec<u8>,
    ) -> Result<Option<Data<'a>>, find::Error> {
        Ok(self.find(id, buf)?.map(|kind| Data { kind, data: buf }))
    }

    fn contains(&self, id: &ObjectId) -> bool {
        self.has(id).unwrap_or(false)
    }
}

impl<F: GitFiles> Write for Odb<F> {
    fn write(&mut self, kind: Kind, data: &[u8]) -> Result<ObjectId, find::Error> {
        Ok(self.write_loose(kind, data)?)
    }
}
