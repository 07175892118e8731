import type { ReasonPattern } from '#libs/common';
import { LedgerRule } from './domain/rules';
import { LedgerErrorCode } from './errors';

/**
 * Chinese for the ledger's error codes and for each rejection rule (see the translation mechanism in libs/common).
 * A rule's text is what a reason says when none of LEDGER_REASON_PATTERNS_ZH matches its English: it names the rule
 * broken without the values (a reason may carry `params` for its placeholders).
 */
export const LIFECYCLE_MESSAGES_ZH: Readonly<Record<string, string>> = {
  [LedgerErrorCode.REGISTRATION_REJECTED]: '电池未登记：details 列出了每块电池违反的规则',
  [LedgerErrorCode.TOO_MANY_EVENTS]: '每批最多 {max} 个事件，收到 {count} 个',
  [LedgerRule.SHAPE]: 'JSON 类型不对（事件必须是对象，字段须为规定的类型）',
  [LedgerRule.UNKNOWN_FIELD]: '不是该事件的字段',
  [LedgerRule.REQUIRED]: '必填',
  [LedgerRule.NOT_APPLICABLE]: '该事件类型不使用此字段',
  [LedgerRule.INVALID_VALUE]: '取值无效',
  [LedgerRule.UNKNOWN_TYPE]: '不是事件类型',
  [LedgerRule.SCHEMA_VERSION]: '该事件类型没有此载荷版本',
  [LedgerRule.BATTERY_CODE]: '不是有效的 GB/T 34014 电池编码',
  [LedgerRule.VIN]: '不是有效的车辆识别代号（VIN）',
  [LedgerRule.REGION_CODE]: '不是有效的 GB/T 2260 行政区划代码',
  [LedgerRule.USCC]: '不是有效的统一社会信用代码',
  [LedgerRule.OCCURRED_AT]: '发生时间在未来，或早于编码中的生产日期',
  [LedgerRule.UNKNOWN_COUNTERPARTY]: '交易对方未注册：对方企业必须有账户',
  [LedgerRule.COUNTERPARTY_ROLE]: '交易对方不具有该事件要求的角色',
  [LedgerRule.ROLE]: '您的企业角色不能报告此类事件',
  [LedgerRule.CUSTODY]: '您不是该电池的持有者，也不是待交接的接收方',
  [LedgerRule.CUSTODY_CLAIM]: '没有向您发起的待接收移交：已记录为对移交方的交接确认申请，该企业确认其已移交后，接收事件方才生效（GET /v1/custody-claims）',
  [LedgerRule.STATE_TRANSITION]: '该事件不能接在电池当前状态之后',
  [LedgerRule.UNKNOWN_BATTERY]: '电池未登记，或您无权查看',
  [LedgerRule.PRODUCT_LEVEL]: '该事件类型不适用于此产品层级或编码形式',
  // Also the text of the error code LedgerErrorCode.ALREADY_REGISTERED (the same string): one key, one text for both.
  [LedgerRule.ALREADY_REGISTERED]: '电池已登记（由其他企业登记，或属性不同）',
  [LedgerRule.COMPOSITION]: '组成关系不符合规则：单体装入模组或电池包，模组装入电池包，且上级须在您的库存中',
  [LedgerRule.VIN_MISMATCH]: '电池不在所填车辆中',
  [LedgerRule.EVENT_ORDER]: '发生时间早于该电池的上一事件',
  [LedgerRule.CLIENT_EVENT_ID_REUSED]: '该 clientEventId 已被您用于另一个不同的事件',
  [LedgerRule.CORRECTION_TARGET]: '更正的目标事件不存在、不是您报告的，或与该电池无关',
  [LedgerRule.CODE_REGISTRATION]: '厂商代码或编码规则备案不符',
  [LedgerRule.ATOMIC]: '本身有效，但未记录：该批为原子模式，且其中有事件被拒绝',
};

const q = (name: string) => `'(?<${name}>[^']*)'`;
const code = '(?<code>[0-9A-Z]{19}(?:[0-9A-Z]{5})?)';

/**
 * The ledger's English reasons with the values the Chinese needs (see plan.ts and prevalidate.ts). A reason whose
 * English changes and no longer matches falls back to its rule's text above: still Chinese, without the values.
 */
export const LEDGER_REASON_PATTERNS_ZH: Partial<Record<LedgerRule, readonly ReasonPattern[]>> = {
  [LedgerRule.SHAPE]: [
    { pattern: /^must be a string, got (?<got>.*)$/, zh: '必须是字符串，收到的是 {got}' },
    { pattern: /^must be a number, got (?<got>.*)$/, zh: '必须是数字，收到的是 {got}' },
    { pattern: /^must be true or false, got (?<got>.*)$/, zh: '必须是 true 或 false，收到的是 {got}' },
    { pattern: /^must be an object, got (?<got>.*)$/, zh: '必须是对象，收到的是 {got}' },
    { pattern: /^must be an array of battery codes, got (?<got>.*)$/, zh: '必须是电池编码数组，收到的是 {got}' },
    { pattern: /^an event must be a JSON object, got (?<got>.*)$/, zh: '事件必须是 JSON 对象，收到的是 {got}' },
  ],
  [LedgerRule.UNKNOWN_FIELD]: [
    { pattern: /^is not a field of an event/, zh: '不是事件的字段（载荷字段请放在 payload 下）' },
    { pattern: new RegExp(`^is not a field of ${q('type')} events \\(fields: (?<fields>.*)\\)$`), zh: '不是“{type}”事件的字段（可用字段：{fields}）' },
    { pattern: new RegExp(`^is not a field of ${q('type')} events`), zh: '不是“{type}”事件的字段（该类事件没有载荷字段）' },
  ],
  [LedgerRule.REQUIRED]: [
    { pattern: /^is required: the codes of the batteries/, zh: '必填：事件涉及的电池编码' },
    { pattern: /^must name at least one battery$/, zh: '至少要有一个电池编码' },
    { pattern: new RegExp(`^is required for ${q('type')} events`), zh: '“{type}”事件必须填写' },
    { pattern: /^is required$/, zh: '必填' },
  ],
  [LedgerRule.NOT_APPLICABLE]: [{ pattern: new RegExp(`^does not apply to ${q('type')} events$`), zh: '不适用于“{type}”事件' }],
  [LedgerRule.INVALID_VALUE]: [
    { pattern: /^must not be empty$/, zh: '不能为空' },
    { pattern: /^must be at most (?<max>\d+) characters, got (?<got>\d+)$/, zh: '最多 {max} 个字符，实际 {got} 个' },
    { pattern: /^must not contain control characters/, zh: '不能包含控制字符或不成对的 UTF-16 代理项' },
    { pattern: /^must be a whole number, got (?<got>.*)$/, zh: '必须是整数，收到的是 {got}' },
    { pattern: /^must be (?:at least|greater than) (?<min>\S+)(?<unit> \S+)?, got (?<got>.*)$/, zh: '不能小于 {min}，收到的是 {got}' },
    { pattern: /^must be at most (?<max>\S+)(?: \S+)?, got (?<got>.*)$/, zh: '不能大于 {max}，收到的是 {got}' },
    { pattern: /^must be a date YYYY-MM-DD$/, zh: '必须是日期（YYYY-MM-DD）' },
    { pattern: /^must be an ISO 8601 date-time/, zh: '必须是 ISO 8601 日期时间，例如 2026-05-01T10:00:00+08:00（未写时区时按北京时间）' },
    { pattern: /^must be one of (?<values>.*)$/, zh: '必须是以下值之一：{values}' },
    { pattern: /^must be an event id \(UUID\)$/, zh: '必须是事件 ID（UUID）' },
    { pattern: /^must name at most (?<max>\d+) batteries, got (?<got>\d+)$/, zh: '最多 {max} 个电池编码，实际 {got} 个' },
    { pattern: new RegExp(`^repeats ${code} \\((?<at>.*)\\)$`), zh: '与 {at} 重复：{code}' },
    { pattern: new RegExp(`^${q('type')} names exactly one battery`), zh: '“{type}”只填写一个电池编码（拆下的那块）；装上的填在 payload.replacementCode' },
    { pattern: new RegExp(`^${code} is also named in batteryCodes \\((?<at>.*)\\)$`), zh: '{code} 也出现在 batteryCodes 中（{at}）' },
  ],
  [LedgerRule.UNKNOWN_TYPE]: [
    { pattern: new RegExp(`^${q('type')} is not an event type; use one of (?<types>.*)$`), zh: '“{type}”不是事件类型；可用：{types}' },
  ],
  [LedgerRule.SCHEMA_VERSION]: [
    {
      pattern: new RegExp(`^${q('type')} has payload schema versions (?<versions>.*); got (?<got>.*)$`),
      zh: '“{type}”的载荷版本为 {versions}，收到的是 {got}',
    },
  ],
  [LedgerRule.BATTERY_CODE]: [
    { pattern: /^must be a 19-character cascade code, got (?<got>.*)$/, zh: '必须是 19 位梯次利用产品编码，收到的是 {got}' },
    { pattern: /^must be a 24-character original code, got (?<got>.*)$/, zh: '必须是 24 位原始编码，收到的是 {got}' },
  ],
  [LedgerRule.VIN]: [{ pattern: new RegExp(`^${q('vin')} is not a valid VIN: (?<why>.*)$`), zh: '“{vin}”不是有效的车辆识别代号（VIN）' }],
  [LedgerRule.USCC]: [{ pattern: new RegExp(`^${q('uscc')} is not a valid unified social credit code`), zh: '“{uscc}”不是有效的统一社会信用代码' }],
  [LedgerRule.REGION_CODE]: [
    { pattern: new RegExp(`^${q('region')} is not a 6-digit GB/T 2260 region code$`), zh: '“{region}”不是 6 位 GB/T 2260 行政区划代码' },
    { pattern: new RegExp(`^${q('region')} does not start with a province code`), zh: '“{region}”不以 GB/T 2260 的省级代码开头' },
  ],
  [LedgerRule.OCCURRED_AT]: [
    { pattern: /^(?<at>\S+) is in the future$/, zh: '{at} 在未来' },
    {
      pattern: new RegExp(`^occurredAt \\((?<day>[^,]+), Beijing time\\) is before the production date (?<date>\\S+) encoded in ${code}$`),
      zh: '发生时间（{day}，北京时间）早于编码 {code} 中的生产日期 {date}',
    },
  ],
  [LedgerRule.UNKNOWN_COUNTERPARTY]: [
    { pattern: /^no enterprise with USCC (?<uscc>\S+) is registered/, zh: '统一社会信用代码为 {uscc} 的企业未注册：交易对方必须有账户' },
  ],
  [LedgerRule.COUNTERPARTY_ROLE]: [
    { pattern: /^a hand-over names another enterprise as the receiver/, zh: '交接须填写另一家企业作为接收方，不能是报告方自己' },
    {
      pattern: new RegExp(`^the counterparty of ${q('type')} \\(rule set (?<ruleSet>[^)]*)\\) must be a (?<roles>[^;]*); (?<name>.*) is (?<has>.*)$`),
      zh: '“{type}”的交易对方（规则集 {ruleSet}）必须是 {roles}；{name} 的角色是 {has}',
    },
  ],
  [LedgerRule.ROLE]: [
    {
      pattern: new RegExp(`^${q('type')} is reported by (?<roles>[^;]*); you are registered as (?<has>.*)$`),
      zh: '“{type}”由 {roles} 报告；您注册的角色是 {has}',
    },
  ],
  [LedgerRule.CUSTODY]: [
    {
      pattern: new RegExp(`^${q('type')} reported by an enterprise other than the holder of battery ${code} must name the vehicle`),
      zh: '非电池 {code} 持有者报告“{type}”时必须填写电池所在车辆（vin）',
    },
    {
      pattern: new RegExp(`^battery ${code} is being handed over to (?<to>.*): only that enterprise may receive it$`),
      zh: '电池 {code} 正在交接给 {to}：只有该企业可以接收',
    },
    {
      pattern: new RegExp(`^battery ${code} is held by (?<holder>.*), and no hand-over to you is pending`),
      zh: '电池 {code} 由 {holder} 持有，且没有交接给您的待接收记录：如果是对方交给您的，请在 counterpartyUscc 中填写对方',
    },
    {
      pattern: new RegExp(`^battery ${code} is held by (?<holder>.*): only its holder or the receiver of a pending hand-over may report ${q('type')}$`),
      zh: '电池 {code} 由 {holder} 持有：只有持有者或待交接的接收方可以报告“{type}”',
    },
  ],
  [LedgerRule.STATE_TRANSITION]: [
    {
      pattern: new RegExp(`^${q('type')} is not allowed after ${q('last')} \\(battery ${code}, (?<where>.*)\\); allowed next: (?<next>.*)$`),
      zh: '“{type}”不能接在“{last}”之后（电池 {code}）；接下来允许：{next}',
    },
    {
      pattern: new RegExp(`^battery ${code} cannot be put in: it must be in status (?<allowed>.*), it is in`),
      zh: '电池 {code} 不能装入：其状态必须是 {allowed}',
    },
  ],
  [LedgerRule.UNKNOWN_BATTERY]: [
    {
      pattern: new RegExp(`^battery ${code} is not registered, or not visible to you`),
      zh: '电池 {code} 未登记，或您无权查看（企业可以查看其生产、持有或曾持有的电池，以及正在交接给它的电池）',
    },
    {
      pattern: new RegExp(`^parent ${code} is not registered, or not visible to you`),
      zh: '上级 {code} 未登记，或您无权查看：请先登记电池包（或模组），再登记装入其中的部件',
    },
  ],
  [LedgerRule.PRODUCT_LEVEL]: [
    { pattern: new RegExp(`^${q('type')} applies to (?<applies>.*); ${code} is (?:a |an )?(?<is>.*)$`), zh: '“{type}”不适用于 {code}（它是 {is}）' },
  ],
  [LedgerRule.ALREADY_REGISTERED]: [
    { pattern: new RegExp(`^battery ${code} is already registered by another enterprise$`), zh: '电池 {code} 已由其他企业登记' },
    { pattern: new RegExp(`^cascade product ${code} is already registered`), zh: '梯次利用产品 {code} 已登记' },
    { pattern: new RegExp(`^battery ${code} is already registered`), zh: '电池 {code} 已登记' },
  ],
  [LedgerRule.COMPOSITION]: [
    { pattern: new RegExp(`^parent ${code} must be in your stock as produced`), zh: '上级 {code} 必须在您的库存中且处于已生产状态' },
    {
      pattern: /^a (?<level>\w+) cannot be built into a (?<parent>\w+) \((?<code>[0-9A-Z]+)\)/,
      zh: '{level} 不能装入 {parent}（{code}）：单体装入模组或电池包，模组装入电池包',
    },
    { pattern: /^a (?<level>\w+) is replaced by a \w+; (?<code>[0-9A-Z]+) is a (?<is>\w+)$/, zh: '{level} 只能由同层级产品替换；{code} 是 {is}' },
  ],
  [LedgerRule.VIN_MISMATCH]: [
    { pattern: new RegExp(`^battery ${code} is (?:in vehicle (?<vin>\\S+)|not in a vehicle), not in (?<named>\\S+)$`), zh: '电池 {code} 不在车辆 {named} 中' },
  ],
  [LedgerRule.EVENT_ORDER]: [
    {
      pattern: new RegExp(`^(?<at>\\S+) is before the last event of battery ${code} \\(${q('last')} at (?<lastAt>\\S+)\\)$`),
      zh: '{at} 早于电池 {code} 的上一事件（“{last}”，{lastAt}）',
    },
  ],
  [LedgerRule.CLIENT_EVENT_ID_REUSED]: [
    {
      pattern: new RegExp(`^clientEventId ${q('id')} was already used by you for a different event \\((?<event>[^)]*)\\)$`),
      zh: 'clientEventId“{id}”已被您用于另一个不同的事件（{event}）',
    },
  ],
  [LedgerRule.CORRECTION_TARGET]: [
    { pattern: /^you reported no event (?<id>\S+): an enterprise corrects only its own events$/, zh: '您没有报告过事件 {id}：企业只能更正自己的事件' },
    { pattern: new RegExp(`^event (?<id>\\S+) \\(${q('type')}\\) is not about battery ${code}`), zh: '事件 {id}（“{type}”）与电池 {code} 无关' },
  ],
};
