/** The one source of the current time. Every component takes a Clock; tests pass a FixedClock. */
export interface Clock {
  now(): Date;
}

export class SystemClock implements Clock {
  private constructor() {}

  static create(): SystemClock {
    return new SystemClock();
  }

  now(): Date {
    return new Date();
  }
}

/** A clock that only moves when told to. */
export class FixedClock implements Clock {
  private current: number;

  private constructor(start: Date) {
    this.current = start.getTime();
  }

  static at(start: Date | string): FixedClock {
    return new FixedClock(typeof start === 'string' ? new Date(start) : start);
  }

  now(): Date {
    return new Date(this.current);
  }

  set(time: Date | string): void {
    this.current = (typeof time === 'string' ? new Date(time) : time).getTime();
  }

  advance(milliseconds: number): void {
    this.current += milliseconds;
  }
}
