//! Where a rule run keeps its findings until it writes them to the queue: in memory while they
//! are few, then in an unnamed temporary file (gone when the run ends, even on a crash), so a
//! run over a long period holds a bounded number of findings in memory however many it finds.
//! A finding holds user ids, a day and entry numbers: no personal data.

use crate::error::ServiceError;
use insats_domain::review::Item;
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Seek, SeekFrom, Write};

/// How many findings are kept in memory before they go to the file.
pub(super) const IN_MEMORY: usize = 4_096;

/// The findings of a run, in the order they were found.
#[derive(Debug, Default)]
pub(super) struct Spill {
    memory: Vec<Item>,
    file: Option<BufWriter<File>>,
    count: u64,
}

fn scratch(e: std::io::Error) -> ServiceError {
    ServiceError::Scratch(e)
}

impl Spill {
    pub(super) fn len(&self) -> u64 {
        self.count
    }

    /// Keeps `item` (its id, run and association are set when it is written to the queue).
    pub(super) fn push(&mut self, item: Item) -> Result<(), ServiceError> {
        self.count += 1;
        self.memory.push(item);
        if self.memory.len() >= IN_MEMORY {
            self.write_out()?;
        }
        Ok(())
    }

    fn write_out(&mut self) -> Result<(), ServiceError> {
        let file = match &mut self.file {
            Some(f) => f,
            None => self
                .file
                .insert(BufWriter::new(tempfile::tempfile().map_err(scratch)?)),
        };
        for item in self.memory.drain(..) {
            let bytes = postcard::to_stdvec(&item)
                .map_err(|e| scratch(std::io::Error::new(std::io::ErrorKind::InvalidData, e)))?;
            let len = u32::try_from(bytes.len())
                .map_err(|e| scratch(std::io::Error::new(std::io::ErrorKind::InvalidData, e)))?;
            file.write_all(&len.to_le_bytes()).map_err(scratch)?;
            file.write_all(&bytes).map_err(scratch)?;
        }
        Ok(())
    }

    /// Every finding kept, in order, read back one at a time.
    pub(super) fn drain(mut self) -> Result<Drain, ServiceError> {
        let Some(file) = self.file.take() else {
            return Ok(Drain {
                file: None,
                memory: self.memory.into_iter(),
            });
        };
        let mut file = file.into_inner().map_err(|e| scratch(e.into_error()))?;
        file.seek(SeekFrom::Start(0)).map_err(scratch)?;
        Ok(Drain {
            file: Some(BufReader::new(file)),
            memory: self.memory.into_iter(),
        })
    }
}

/// The findings of a [`Spill`]: those in the file first, then those still in memory.
#[derive(Debug)]
pub(super) struct Drain {
    file: Option<BufReader<File>>,
    memory: std::vec::IntoIter<Item>,
}

impl Drain {
    fn from_file(file: &mut BufReader<File>) -> Result<Option<Item>, ServiceError> {
        let mut len = [0u8; 4];
        match file.read_exact(&mut len) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(None),
            Err(e) => return Err(scratch(e)),
        }
        let mut bytes = vec![0u8; u32::from_le_bytes(len) as usize];
        file.read_exact(&mut bytes).map_err(scratch)?;
        postcard::from_bytes(&bytes)
            .map(Some)
            .map_err(|e| scratch(std::io::Error::new(std::io::ErrorKind::InvalidData, e)))
    }
}

impl Iterator for Drain {
    type Item = Result<Item, ServiceError>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some(file) = &mut self.file {
            match Drain::from_file(file) {
                Ok(Some(item)) => return Some(Ok(item)),
                Ok(None) => self.file = None,
                Err(e) => {
                    self.file = None;
                    return Some(Err(e));
                }
            }
        }
        self.memory.next().map(Ok)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use chrono::NaiveDate;
    use insats_domain::ids::{AssociationId, ReviewItemId, ReviewRunId, UserId};
    use insats_domain::review::ItemSource;

    fn item(n: u64) -> Item {
        Item {
            id: ReviewItemId(0),
            run: ReviewRunId(0),
            association: AssociationId(0),
            source: ItemSource::Sample,
            user: Some(UserId(n % 7)),
            day: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()
                + chrono::Duration::days(i64::try_from(n % 300).unwrap()),
            entries: (0..n % 250).map(|k| n * 1000 + k).collect(),
            matched: u32::try_from(n).unwrap(),
        }
    }

    #[test]
    fn findings_come_back_in_order_from_memory_and_from_the_file() {
        for n in [
            0,
            1,
            IN_MEMORY as u64 - 1,
            IN_MEMORY as u64,
            3 * IN_MEMORY as u64 + 17,
        ] {
            let mut spill = Spill::default();
            for k in 0..n {
                spill.push(item(k)).unwrap();
            }
            assert_eq!(spill.len(), n);
            assert_eq!(spill.file.is_some(), n >= IN_MEMORY as u64);
            assert!(spill.memory.len() < IN_MEMORY);
            let back: Vec<Item> = spill.drain().unwrap().map(Result::unwrap).collect();
            assert_eq!(back, (0..n).map(item).collect::<Vec<_>>());
        }
    }
}
