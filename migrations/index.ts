import { Foundation1795600000000 } from './1795600000000-Foundation';
import { Codes1795600100000 } from './1795600100000-Codes';
import { Ledger1795600200000 } from './1795600200000-Ledger';
import { Uploads1795600300000 } from './1795600300000-Uploads';
import { LedgerCheckpoints1795600400000 } from './1795600400000-LedgerCheckpoints';
import { IngestIndexes1795600500000 } from './1795600500000-IngestIndexes';
import { BatteriesFillfactor1795600600000 } from './1795600600000-BatteriesFillfactor';
import { ContentKeyByCode1795600700000 } from './1795600700000-ContentKeyByCode';
import { CodeCollationC1795600800000 } from './1795600800000-CodeCollationC';
import { ChainLedgerSeqUnindexed1795600900000 } from './1795600900000-ChainLedgerSeqUnindexed';
import { PartiesKeyedByEnterprise1795601000000 } from './1795601000000-PartiesKeyedByEnterprise';
import { UploadTextEncoding1795601100000 } from './1795601100000-UploadTextEncoding';
import { AppendOnlyTruncate1795601200000 } from './1795601200000-AppendOnlyTruncate';
import { UploadKinds1795620000000 } from './1795620000000-UploadKinds';
import { CustodyClaims1795621000000 } from './1795621000000-CustodyClaims';
import { UploadRowClaims1795621100000 } from './1795621100000-UploadRowClaims';
import { AuditCheckpoints1795623000000 } from './1795623000000-AuditCheckpoints';
import { RegulatorAccess1795624000000 } from './1795624000000-RegulatorAccess';
import { Outlets1795625000000 } from './1795625000000-Outlets';
import { ResidualTests1795626000000 } from './1795626000000-ResidualTests';
import { CascadeProducts1795626100000 } from './1795626100000-CascadeProducts';
import { CalendarYears1795627000000 } from './1795627000000-CalendarYears';
import { ComplianceReports1795627100000 } from './1795627100000-ComplianceReports';
import { UploadRowWarnings1795628000000 } from './1795628000000-UploadRowWarnings';

/** Every migration, in order. New migrations are appended here. */
export const MIGRATIONS = [
  Foundation1795600000000,
  Codes1795600100000,
  Ledger1795600200000,
  Uploads1795600300000,
  LedgerCheckpoints1795600400000,
  IngestIndexes1795600500000,
  BatteriesFillfactor1795600600000,
  ContentKeyByCode1795600700000,
  CodeCollationC1795600800000,
  ChainLedgerSeqUnindexed1795600900000,
  PartiesKeyedByEnterprise1795601000000,
  UploadTextEncoding1795601100000,
  AppendOnlyTruncate1795601200000,
  UploadKinds1795620000000,
  CustodyClaims1795621000000,
  UploadRowClaims1795621100000,
  AuditCheckpoints1795623000000,
  RegulatorAccess1795624000000,
  Outlets1795625000000,
  ResidualTests1795626000000,
  CascadeProducts1795626100000,
  CalendarYears1795627000000,
  ComplianceReports1795627100000,
  UploadRowWarnings1795628000000,
];
