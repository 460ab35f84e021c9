/** Slack's chrome around the blocks: a channel pane, a modal, the App Home tab. Colours and sizes as Slack's light theme draws them. */
export const frameCss = `
html, body { margin: 0; background: #f8f8f8; }
body { padding: 20px; font-family: Lato, "Noto Sans", "Segoe UI", Helvetica, Arial, sans-serif; color: #1d1c1d; -webkit-font-smoothing: antialiased; }
.frame { background: #fff; border: 1px solid #dddddd; border-radius: 8px; box-shadow: 0 1px 3px rgba(0,0,0,.08); overflow: hidden; }
.message-frame { width: 700px; }
.message-frame .bar { font-weight: 900; font-size: 18px; padding: 12px 20px; border-bottom: 1px solid #dddddd; }
.message-frame .pane { padding: 16px 20px 12px; }
.message-frame .ephemeral { font-size: 12px; color: #616061; padding: 0 20px 14px 64px; }
.modal-frame { width: 560px; border-radius: 12px; box-shadow: 0 18px 48px rgba(0,0,0,.25); }
.modal-head { display: flex; align-items: center; gap: 12px; padding: 18px 24px; border-bottom: 1px solid #dddddd; }
.modal-head img, .home-head img { width: 28px; height: 28px; border-radius: 6px; }
.modal-title { font-size: 22px; font-weight: 900; flex: 1; }
.close-x { font-size: 26px; color: #616061; line-height: 1; }
.modal-body { padding: 12px 20px 20px; }
.modal-foot { display: flex; justify-content: flex-end; gap: 12px; padding: 16px 24px; border-top: 1px solid #dddddd; }
.modal-foot button { font: inherit; font-size: 15px; font-weight: 700; height: 36px; padding: 0 16px; border-radius: 4px; border: 1px solid #bbbbbb; background: #fff; }
.modal-foot .modal-submit { background: #007a5a; border-color: #007a5a; color: #fff; }
.home-frame { width: 900px; }
.home-head { display: flex; align-items: center; gap: 12px; padding: 14px 24px 0; border-bottom: 1px solid #dddddd; }
.home-name { font-size: 18px; font-weight: 900; padding-bottom: 12px; }
.tabs { display: flex; gap: 20px; margin-left: 24px; }
.tab { font-size: 14px; color: #616061; padding-bottom: 12px; }
.tab.on { color: #1d1c1d; font-weight: 700; border-bottom: 2px solid #1264a3; }
.home-body { padding: 12px 30px 24px; }
/* The renderer's notes for its own users ("Requires external data source") are not Slack's. */
#slack_blocks_to_jsx [class*="-bottom-5"] { display: none; }
`;
