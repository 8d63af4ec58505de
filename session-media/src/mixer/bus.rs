//! [`MixBus`]: the per-tick N−1 mix of a conference.

use thiserror::Error;

use super::kernel::{self, Accumulator};
use crate::frame::AudioFrame;

/// Names one participant of one [`MixBus`]; handed out by [`MixBus::add`].
///
/// An index into the bus's slots and that slot's generation: a removed participant's
/// id stays dead even when a later participant reuses its slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ParticipantId {
    slot: u32,
    generation: u32,
}

impl std::fmt::Display for ParticipantId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "participant {}.{}", self.slot, self.generation)
    }
}

/// What a [`MixBus`] refuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum MixBusError {
    /// The id was never handed out by this bus, or its participant was removed.
    #[error("{0} is not in this conference")]
    UnknownParticipant(ParticipantId),
}

#[derive(Debug, Clone, Copy)]
struct Slot {
    generation: u32,
    /// Index into the dense arrays while the slot is occupied.
    dense: Option<u32>,
}

/// Flags of one participant, in the dense arrays.
#[derive(Debug, Clone, Copy)]
struct Member {
    id: ParticipantId,
    /// Its frames are mixed into the others' audio and the conference mix.
    included: bool,
    /// It is given an output each tick.
    hears: bool,
    /// A frame was pushed for the current tick.
    pending: bool,
}

/// The mix of one conference, one 20 ms tick at a time, without I/O.
///
/// Each tick, every participant may [`push`](MixBus::push) the frame it produced for
/// that tick; [`tick`](MixBus::tick) then gives each participant the sum of the *other*
/// included participants' frames (never its own), saturated to i16, and the conference
/// mix of all included participants (for a recording of the whole conference).
///
/// - **Included** (default yes): a participant left out ([`set_included`]
///   `false`: muted or on hold) adds nothing to anyone's audio. It still gets an output
///   if it hears: a muted participant hears the others.
/// - **Hears** (default yes): a participant that does not hear ([`set_hears`] `false`)
///   gets no output at all, not even silence: that is what a held party receives
///   (RFC 3264: nothing is sent to a `sendonly`/`inactive` peer). Hold is therefore
///   `set_included(id, false)` and `set_hears(id, false)`; mute only the first.
/// - **Missing frames**: a participant that pushed nothing since the last tick (lost,
///   late or not yet decoded) adds silence for this tick. The bus never waits for it.
/// - **Late frames**: the bus has no clock; a frame is for the tick that follows its
///   push. A frame that comes after its tick is mixed into the next one, and only if
///   nothing newer is pushed before that: frames pushed twice in one tick keep the
///   last. A frame can never reach a tick earlier than its push.
/// - **Memory**: one frame buffer per participant, holding its pending input until
///   the tick and its output after; nothing is allocated per tick ([`add`] may grow
///   the arrays, [`with_capacity`] reserves them).
///
/// [`set_included`]: MixBus::set_included
/// [`set_hears`]: MixBus::set_hears
/// [`add`]: MixBus::add
/// [`with_capacity`]: MixBus::with_capacity
///
/// ```
/// use session_media::{AudioFrame, MixBus};
/// let mut bus = MixBus::new();
/// let (a, b, c) = (bus.add(), bus.add(), bus.add());
/// bus.push(a, &AudioFrame::from_samples(&[100; 160])).unwrap();
/// bus.push(b, &AudioFrame::from_samples(&[20; 160])).unwrap();
/// // c sent nothing this tick: it adds silence.
/// let tick = bus.tick();
/// assert_eq!(tick.output(a).unwrap().samples()[0], 20); // a hears b, not itself
/// assert_eq!(tick.output(b).unwrap().samples()[0], 100);
/// assert_eq!(tick.output(c).unwrap().samples()[0], 120);
/// assert_eq!(tick.mix().samples()[0], 120);
/// ```
#[derive(Clone, Default)]
pub struct MixBus {
    slots: Vec<Slot>,
    /// Slots free for reuse.
    free: Vec<u32>,
    /// One entry per participant, in no particular order (removal swaps the last in).
    members: Vec<Member>,
    /// Parallel to `members`: the pending frame before a tick, the output after it.
    frames: Vec<AudioFrame>,
    /// The conference mix of the last tick.
    mix: AudioFrame,
    acc: Box<AccumulatorCell>,
}

/// The accumulator, boxed so that a `MixBus` stays small to move.
#[derive(Clone)]
struct AccumulatorCell(Accumulator);

impl Default for AccumulatorCell {
    fn default() -> Self {
        Self(Accumulator::new())
    }
}

impl std::fmt::Debug for AccumulatorCell {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Accumulator")
    }
}

impl std::fmt::Debug for MixBus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MixBus")
            .field("participants", &self.members.len())
            .field("included", &self.members.iter().filter(|m| m.included).count())
            .field("mix", &self.mix)
            .finish_non_exhaustive()
    }
}

impl MixBus {
    /// An empty conference.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty conference with room for `participants`: adding and removing up to
    /// that many allocates nothing.
    pub fn with_capacity(participants: usize) -> Self {
        Self {
            slots: Vec::with_capacity(participants),
            free: Vec::with_capacity(participants),
            members: Vec::with_capacity(participants),
            frames: Vec::with_capacity(participants),
            ..Self::default()
        }
    }

    /// Adds a participant, included and hearing, with no frame pending.
    pub fn add(&mut self) -> ParticipantId {
        let dense = self.members.len() as u32;
        let slot = match self.free.pop() {
            Some(slot) => slot,
            None => {
                self.slots.push(Slot { generation: 0, dense: None });
                (self.slots.len() - 1) as u32
            }
        };
        let entry = &mut self.slots[slot as usize];
        entry.dense = Some(dense);
        let id = ParticipantId { slot, generation: entry.generation };
        self.members.push(Member { id, included: true, hears: true, pending: false });
        self.frames.push(AudioFrame::silence());
        id
    }

    /// Removes a participant at once (its pending frame is dropped). `false` when it
    /// was not there.
    pub fn remove(&mut self, id: ParticipantId) -> bool {
        let Some(dense) = self.dense(id) else { return false };
        self.members.swap_remove(dense);
        self.frames.swap_remove(dense);
        if let Some(moved) = self.members.get(dense) {
            self.slots[moved.id.slot as usize].dense = Some(dense as u32);
        }
        let slot = &mut self.slots[id.slot as usize];
        slot.dense = None;
        slot.generation = slot.generation.wrapping_add(1);
        self.free.push(id.slot);
        true
    }

    /// Whether `id` is a participant of this bus.
    pub fn contains(&self, id: ParticipantId) -> bool {
        self.dense(id).is_some()
    }

    /// Number of participants.
    pub fn len(&self) -> usize {
        self.members.len()
    }

    /// `true` when no one is in the conference.
    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    /// The participants, in no particular order.
    pub fn participants(&self) -> impl ExactSizeIterator<Item = ParticipantId> + '_ {
        self.members.iter().map(|m| m.id)
    }

    /// Puts a participant's audio into the others' mix (`true`) or leaves it out
    /// (`false`: muted or on hold). Takes effect at the next [`MixBus::tick`].
    pub fn set_included(&mut self, id: ParticipantId, included: bool) -> Result<(), MixBusError> {
        self.member(id)?.included = included;
        Ok(())
    }

    /// Whether a participant is given an output (`false`: on hold, it gets none).
    pub fn set_hears(&mut self, id: ParticipantId, hears: bool) -> Result<(), MixBusError> {
        self.member(id)?.hears = hears;
        Ok(())
    }

    /// Whether a participant's audio goes into the mix.
    pub fn is_included(&self, id: ParticipantId) -> Result<bool, MixBusError> {
        self.dense(id).map(|d| self.members[d].included).ok_or(MixBusError::UnknownParticipant(id))
    }

    /// Whether a participant is given an output.
    pub fn hears(&self, id: ParticipantId) -> Result<bool, MixBusError> {
        self.dense(id).map(|d| self.members[d].hears).ok_or(MixBusError::UnknownParticipant(id))
    }

    /// The frame `id` produced for the coming tick; replaces one pushed earlier in the
    /// same tick. Copies 160 samples, allocates nothing.
    pub fn push(&mut self, id: ParticipantId, frame: &AudioFrame) -> Result<(), MixBusError> {
        let dense = self.dense(id).ok_or(MixBusError::UnknownParticipant(id))?;
        self.frames[dense].clone_from(frame);
        self.members[dense].pending = true;
        Ok(())
    }

    /// Mixes the frames pushed since the last tick and starts the next tick.
    ///
    /// One pass sums the included participants' pending frames in `i32`; each hearing
    /// participant's output is then that sum minus its own frame, written over its
    /// frame in place. A participant that added nothing (left out, or no frame) hears
    /// the whole sum, so its output is a copy of the conference mix. The outputs stay
    /// readable through the returned [`Tick`] until the next push.
    pub fn tick(&mut self) -> Tick<'_> {
        let acc = &mut self.acc.0;
        for (member, frame) in self.members.iter().zip(&self.frames) {
            if member.pending && member.included {
                acc.add(frame);
            }
        }
        let total = acc.finish();
        kernel::write_total(&mut self.mix, total);
        for (member, frame) in self.members.iter_mut().zip(self.frames.iter_mut()) {
            let added = member.pending && member.included;
            member.pending = false;
            if !member.hears {
                continue;
            }
            if added {
                kernel::replace_by_others(frame, total);
            } else {
                frame.clone_from(&self.mix);
            }
        }
        Tick { bus: self }
    }

    fn dense(&self, id: ParticipantId) -> Option<usize> {
        let slot = self.slots.get(id.slot as usize)?;
        if slot.generation != id.generation {
            return None;
        }
        slot.dense.map(|d| d as usize)
    }

    fn member(&mut self, id: ParticipantId) -> Result<&mut Member, MixBusError> {
        let dense = self.dense(id).ok_or(MixBusError::UnknownParticipant(id))?;
        Ok(&mut self.members[dense])
    }
}

/// The result of one [`MixBus::tick`]: borrowed from the bus, valid until its next
/// [`MixBus::push`].
#[derive(Debug, Clone, Copy)]
pub struct Tick<'a> {
    bus: &'a MixBus,
}

impl<'a> Tick<'a> {
    /// The conference mix: every included participant's frame, saturated (what a
    /// recording of the whole conference writes).
    pub fn mix(&self) -> &'a AudioFrame {
        &self.bus.mix
    }

    /// What `id` hears this tick: everyone else included. `None` when `id` does not
    /// hear (see [`MixBus::set_hears`]) or is not in the conference.
    pub fn output(&self, id: ParticipantId) -> Option<&'a AudioFrame> {
        let dense = self.bus.dense(id)?;
        self.bus.members[dense].hears.then(|| &self.bus.frames[dense])
    }

    /// Every hearing participant's output, in no particular order.
    pub fn outputs(&self) -> impl Iterator<Item = (ParticipantId, &'a AudioFrame)> + 'a {
        let bus = self.bus;
        bus.members.iter().zip(&bus.frames).filter(|(m, _)| m.hears).map(|(m, f)| (m.id, f))
    }
}
