import { asModal, asPosted, says } from '../driver.js';
import type { Scenario } from '../scenario.js';

/** A spreadsheet's export: good rows, one already registered, and three with problems. */
const importFile = [
  'subscriberId,phone,integration',
  'maria.lopez,+1 415 555 0100,',
  'sam.lee,(415) 555-0142,',
  'jordan.kim,+44 20 7946 0958,whatsapp-business',
  'alex.chen,+1 212 555 01,',
  ',+1 646 555 0199,',
  'casey.ng,+1 646 555 0123,sendgrid',
  'riley.park,+1 917 555 0175,',
].join('\r\n');

/** `/phone`: phone endpoints registered in Novu, one at a time or from a CSV file. */
export const phoneScenarios: Scenario[] = [
  {
    name: 'phone-register-form',
    caption: '`/phone register +14155550100 maria.lopez`: the form, with the number read and the integration to choose.',
    main: true,
    run: async (d) => asModal(await d.modal('/phone', 'register +14155550100 maria.lopez', 'phone.register', d.cast.admin)),
  },
  {
    name: 'phone-register-done',
    caption: 'The phone endpoint is registered in Novu.',
    main: true,
    run: async (d) => {
      const form = await d.modal('/phone', 'register +14155550100 maria.lopez', 'phone.register', d.cast.admin);
      return asModal(await d.submit(form, { 'phone.integration': 'twilio-sms' }, d.cast.admin, says('Registered')));
    },
  },
  {
    name: 'phone-list',
    caption: '`/phone list`: the workspace’s phone endpoints, newest first, each with Remove.',
    main: true,
    run: (d) => d.reply('/phone', 'list', d.cast.admin),
  },
  {
    name: 'csv-form',
    caption: '`/phone import-csv`: the file to check, and the integration for rows that name none.',
    run: async (d) => asModal(await d.modal('/phone', 'import-csv', 'phone.csv', d.cast.admin)),
  },
  {
    name: 'csv-dry-run',
    caption: 'The CSV import’s dry run, in a direct message: what will be registered, the first rows with problems, and a button to register the good rows.',
    main: true,
    run: async (d) => {
      const { admin } = d.cast;
      const file = d.harness.emulator.files.addUpload({ teamId: admin.teamId, userId: admin.userId, name: 'team-phones.csv', content: importFile });
      const form = await d.modal('/phone', 'import-csv', 'phone.csv', admin);
      await d.harness.slack.submitView(form, { 'phone.csv.file': [file], 'phone.integration': 'twilio-sms' }, admin);
      return asPosted(await d.directMessage(admin, (message) => message.text.startsWith('Dry run')));
    },
  },
];
