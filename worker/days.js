// days.js: UTC days, the unit of rollups, budgets and retention: numbers (days since 1970-01-01)
// and their YYYY-MM-DD spelling.

export const DAY_MS = 86_400_000;

export const dayOf = (ms) => Math.floor(ms / DAY_MS);
export const dayString = (day) => new Date(day * DAY_MS).toISOString().slice(0, 10);

// The first day a date may name: day 0. The last is 9999-12-31, the last that YYYY can write.
const FIRST_DATE = '1970-01-01';
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September',
  'October', 'November', 'December'];

// readDay() reads a UTC day written YYYY-MM-DD: { day } (days since 1970-01-01), or { problem }
// saying what is wrong with it. Each part is checked by hand: Date.parse reads 2024-02-30 as
// March 1, and Date.UTC reads years 0-99 as 1900-1999.
export function readDay(text) {
  const parts = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text ?? '');
  if (!parts) return { problem: 'is not a day written YYYY-MM-DD (for example 2024-02-29)' };
  const [year, month, date] = parts.slice(1).map(Number);
  if (text < FIRST_DATE) return { problem: `is before ${FIRST_DATE}` };
  if (month < 1 || month > 12) return { problem: `has no month ${parts[2]}: months run from 01 to 12` };
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const length = month === 2 ? (leap ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;
  if (date < 1 || date > length) return { problem: `has no day ${parts[3]}: ${MONTHS[month - 1]} ${year} has ${length} days` };
  return { day: dayOf(Date.UTC(year, month - 1, date)) };
}

// firstCompleteDay() is the oldest day whose raw events are all still stored (retention deletes
// the days before it): older days are never recomputed, or their rollups would be replaced by
// counts of a partly deleted day.
export const firstCompleteDay = (now, retentionDays) => dayOf(now) - retentionDays;
