export * from './barcode';
export * from './codes.module';
export * from './codes.service';
export * from './coding-rule.entity';
export * from './coding-rules.service';
export * from './decode-report';
export * from './dto';
export * from './errors';
export * from './is-battery-code.validator';
export * from './manufacturer-code.entity';
export * from './manufacturer-codes.service';
export * from './public-rate-limit';

export * from './messages.zh';
export * from './encode';
