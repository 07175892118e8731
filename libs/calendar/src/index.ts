/**
 * China's working-day calendar (pure TypeScript, no Nest or database): statutory holidays and make-up working
 * days (调休) from the pinned `chinese-days` package plus the years operators add; explicit coverage.
 */
export { WorkingCalendar } from './calendar';
export { beijingDay, dayToIso, endOfDay, isIsoDate, isoToDay, startOfDay, weekdayOfDay, yearOfDay, DAY_MS } from './days';
export { checkSchedule, CHINESE_DAYS_VERSION, packageSchedules } from './schedule';
export type { ScheduleProblem, YearSchedule } from './schedule';
