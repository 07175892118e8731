import { Foundation1795600000000 } from './1795600000000-Foundation';
import { Codes1795600100000 } from './1795600100000-Codes';

/** Every migration, in order. New migrations are appended here. */
export const MIGRATIONS = [Foundation1795600000000, Codes1795600100000];
