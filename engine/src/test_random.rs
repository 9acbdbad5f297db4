//! Reproducible random numbers for the unit tests: a linear congruential
//! generator, so that a failing case can be replayed from its seed.

/// The generator's successive states from `seed` (use the high bits).
pub fn random_states(mut seed: u64) -> impl FnMut() -> u64 {
    move || {
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        seed
    }
}

/// A stream of numbers in [0, 1) from `seed`.
pub fn random_fractions(seed: u64) -> impl FnMut() -> f32 {
    let mut state = random_states(seed);
    move || (state() >> 33) as f32 / (1u64 << 31) as f32
}
