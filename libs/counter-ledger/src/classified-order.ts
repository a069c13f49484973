/** Counting revisions per dossier version the order key leaves room for (2^20). */
const REVISION_SPAN = 1_048_576;

/**
 * The order of a classified dossier's documents, in on-time-rate's ledger and reporting's alike:
 * the dossier version first, then the counting revision. A newer version always wins (a
 * redelivered older fact or outcome never rolls a dossier back, whatever its revision); for the
 * same version, a rebuild's reclassification under a higher revision replaces the old one. Both
 * ledgers must order the same way, or a rebuild racing the live consumers leaves reporting on
 * another version than on-time-rate.
 */
export function classifiedOrder(version: number, revision: number | undefined): number {
  return version * REVISION_SPAN + (revision ?? 0);
}
