/**
 * Notifications: queued in the outbox inside the transaction of the event that caused them, then delivered at
 * least once to webhooks, Slack, Microsoft Teams and PagerDuty.
 * @module
 */
export * from './channels/create-channel.js';
export * from './notification-deliverer.js';
export * from './notify-config.js';
export * from './outbound-notification-schema.js';
export * from './outbox.js';
export * from './route-notification.js';
export * from './types.js';
