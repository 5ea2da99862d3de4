/**
 * The resort facts (names, weights, time zones, prices, lifts, capacities) from `resorts.json`,
 * with types (docs/data-model.md, "The resorts"). The RESORT_CAPACITY table that the reports join
 * to is rendered from the same file, so there is one source.
 *
 * @module
 */
import facts from "./resorts.json" with { type: "json" };

/** One resort as `resorts.json` describes it. */
export interface Resort {
  /** Name as it appears in the RESORT column. */
  readonly name: string;
  /** Relative share of ticket sales (and of season-pass ski days). */
  readonly weight: number;
  /** IANA time zone: lifts open 08:00–16:00 local. */
  readonly timezone: string;
  /** Price of a one-day ticket on a weekday, USD. */
  readonly ticketBasePriceUsd: number;
  /** Price multiplier for tickets bought on a local Saturday or Sunday. */
  readonly weekendMultiplier: number;
  /** Visitors at 100% capacity (CAPACITY_PCT's denominator). */
  readonly maxCapacity: number;
  /** Rides per hour the resort is built for. */
  readonly hourlyCapacity: number;
  /** Number of lifts the resort lists. */
  readonly baseLiftCount: number;
  /** Lift names, easiest first (lift choice by skill uses their order). */
  readonly lifts: readonly string[];
}

/** Ticket length choices and their weights. */
export interface TicketDays {
  readonly options: readonly number[];
  readonly weights: readonly number[];
}

/** Every fact of `resorts.json`. */
export interface ResortFacts {
  readonly resorts: readonly Resort[];
  readonly ticketDays: TicketDays;
  readonly seasonPassPrices: readonly { readonly priceUsd: number; readonly weight: number }[];
  readonly rideIntervalMinutes: { readonly min: number; readonly max: number };
  readonly restIntervalMinutes: { readonly min: number; readonly max: number };
  readonly restChance: number;
  readonly dailyTicketRidingChance: number;
  readonly seasonPassRidingChance: number;
  readonly ticketsPerSeasonPass: number;
  readonly speeds: { readonly TURTLE: number; readonly LLAMA: number; readonly CHEETAH: number };
  readonly openHourLocal: number;
  readonly closeHourLocal: number;
  readonly customerFieldMissingChance: number;
  readonly passRevenueActivations: number;
  readonly capacityStatus: { readonly highAbovePct: number; readonly moderateAbovePct: number };
  readonly revenueTargetUsdPerCapacity: {
    readonly capacityShare: number;
    readonly usdPerVisitor: number;
  };
  readonly firstRideWithinHoursOfOpening: number;
}

/** The facts, frozen so that no module can change them for the others. */
export const FACTS: ResortFacts = deepFreeze(facts as ResortFacts);

/** The resorts, in `resorts.json` order. */
export const RESORTS: readonly Resort[] = FACTS.resorts;

/** The resort called `name`, or undefined. */
export function resortByName(name: string): Resort | undefined {
  return RESORTS.find((r) => r.name === name);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object") {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
