private import CObscuraCodecs

/// Process-wide heap settings, for the executables to apply once at start.
package enum ProcessMemory {
    /// glibc raises its mmap threshold each time a large block is freed (up to 32 MB), after
    /// which the search's buffers of a few MB come from the heap and leave it fragmented. A
    /// fixed 4 MB threshold returns them to the system when freed: a 12 MP photo's peak fell
    /// from 423 to 373 MB and the 161-photo batch's from 357-360 to 344-346 MB, at a speed
    /// within the noise (README, "Where the memory went"). Outputs do not depend on it.
    package static func limitHeapFragmentation() {
        obscura_fix_mmap_threshold(4 << 20)
    }
}
